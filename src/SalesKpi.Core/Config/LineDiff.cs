namespace SalesKpi.Core.Config;

/// <summary>One line of a diff: <c>' '</c> unchanged, <c>'-'</c> only in the old text, <c>'+'</c> only in the new.</summary>
/// <param name="Op">' ', '-' or '+'.</param>
/// <param name="Text">The line.</param>
public sealed record DiffLine(char Op, string Text);

/// <summary>A line diff by longest common subsequence — configurations are a few hundred lines, so O(n·m) is fine.</summary>
public static class LineDiff
{
    /// <summary>The lines of <paramref name="before"/> and <paramref name="after"/> merged, removals before additions.</summary>
    public static IReadOnlyList<DiffLine> Compute(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var result = new List<DiffLine>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                result.Add(new(' ', a[x++]));
                y++;
            }
            else if (y >= b.Length || (x < a.Length && lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                result.Add(new('-', a[x++]));
            }
            else
            {
                result.Add(new('+', b[y++]));
            }
        }

        return result.Count > 0 && result[^1] is { Op: ' ', Text: "" } ? result[..^1] : result;
    }

    /// <summary>Only the changed lines with <paramref name="context"/> unchanged lines around each change, gaps marked <c>…</c>.</summary>
    public static IReadOnlyList<DiffLine> Hunks(IReadOnlyList<DiffLine> diff, int context = 2)
    {
        var keep = new bool[diff.Count];
        for (var i = 0; i < diff.Count; i++)
        {
            if (diff[i].Op != ' ')
            {
                for (var k = Math.Max(0, i - context); k <= Math.Min(diff.Count - 1, i + context); k++)
                {
                    keep[k] = true;
                }
            }
        }

        var result = new List<DiffLine>();
        for (var i = 0; i < diff.Count; i++)
        {
            if (keep[i])
            {
                result.Add(diff[i]);
            }
            else if (result.Count > 0 && result[^1].Text != "…" && i > 0 && keep[i - 1])
            {
                result.Add(new(' ', "…"));
            }
        }

        return result;
    }
}

using System.Globalization;
using System.Text.Json;

namespace SalesKpi.Tests.Postgres;

/// <summary>
/// Compares the JSON answers of the two engines: field names, array lengths and every non-numeric value must be equal;
/// each pair of numbers goes to the caller's rule (the engines sum doubles in different orders). Shared by the parity
/// tests and the <c>postgres</c> benchmark, which links this file.
/// </summary>
internal static class JsonParity
{
    /// <summary>The paths where <paramref name="a"/> and <paramref name="b"/> differ; numbers differ where <paramref name="numbersDiffer"/> says so.</summary>
    public static List<string> Differences(JsonElement a, JsonElement b, Func<double, double, bool> numbersDiffer)
    {
        List<string> differences = [];
        Compare(a, b, "$", numbersDiffer, differences);
        return differences;
    }

    private static void Compare(JsonElement a, JsonElement b, string path, Func<double, double, bool> numbersDiffer, List<string> differences)
    {
        if (a.ValueKind != b.ValueKind)
        {
            differences.Add($"{path}: {a} vs {b}");
            return;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var names = a.EnumerateObject().Select(p => p.Name).ToList();
                if (!names.SequenceEqual(b.EnumerateObject().Select(p => p.Name)))
                {
                    differences.Add($"{path}: keys differ");
                    return;
                }

                foreach (var name in names)
                {
                    Compare(a.GetProperty(name), b.GetProperty(name), path + "." + name, numbersDiffer, differences);
                }

                break;
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    differences.Add($"{path}: {a.GetArrayLength()} vs {b.GetArrayLength()} items");
                    return;
                }

                for (var i = 0; i < a.GetArrayLength(); i++)
                {
                    Compare(a[i], b[i], string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), numbersDiffer, differences);
                }

                break;
            case JsonValueKind.Number:
                var (x, y) = (a.GetDouble(), b.GetDouble());
                if (numbersDiffer(x, y))
                {
                    differences.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: {x} vs {y}"));
                }

                break;
            default:
                if (a.ToString() != b.ToString())
                {
                    differences.Add($"{path}: {a} vs {b}");
                }

                break;
        }
    }
}

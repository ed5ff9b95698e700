using System.Globalization;
using System.Text.RegularExpressions;
using SalesKpi.Storage;

namespace SalesKpi.Import;

/// <summary>
/// The rejects and warnings files of one import, written under pending names
/// (<c>.&lt;workspace&gt;.&lt;name&gt;.pending</c> in the same folder) and moved into place only after the
/// import commits, so a failed, rolled-back or killed import leaves no report of rows that were never
/// stored. A kill can still fall between the commit and the move: the next import of the same workspace
/// finishes the move when the import it belongs to is in the log, and deletes the file otherwise.
/// A final name is never one that exists already: a user's corrected rejects file, or one of another
/// workspace, is what "fix it and import it again" relies on, so it is never overwritten.
/// </summary>
internal sealed partial class ReportFiles(string directory, string workspacePath)
{
    private const string Suffix = ".pending";
    private readonly List<(string Pending, string Final)> files = [];
    private readonly HashSet<string> claimed = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The default folder for the report files of <paramref name="workspacePath"/>: <c>&lt;workspace name&gt;-rejects</c> beside it, so two workspaces in one folder never share one.</summary>
    public static string DefaultDirectory(string workspacePath) =>
        Path.Combine(WorkspaceLocation.LocalFolder(workspacePath), WorkspaceLocation.LocalName(workspacePath, withExtension: false) + "-rejects");

    private string Prefix => "." + WorkspaceLocation.LocalName(workspacePath, withExtension: true) + ".";

    /// <summary>
    /// A final path <c>&lt;stem&gt;&lt;suffix&gt;</c> in the folder that neither exists nor was claimed earlier in
    /// this import; otherwise <c>&lt;stem&gt;-2&lt;suffix&gt;</c>, <c>-3</c>, … (case-insensitive, for file systems that are).
    /// </summary>
    public string Claim(string stem, string suffix)
    {
        for (var n = 1; ; n++)
        {
            var name = n == 1 ? stem + suffix : string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}{suffix}");
            var final = Path.Combine(directory, name);
            if (!File.Exists(final) && !File.Exists(Path.Combine(directory, Prefix + name + Suffix)) && claimed.Add(final))
            {
                return final;
            }
        }
    }

    /// <summary>Where to write the file that becomes <paramref name="final"/> once the import commits.</summary>
    public string Pending(string final)
    {
        var pending = Path.Combine(directory, Prefix + Path.GetFileName(final) + Suffix);
        files.Add((pending, final));
        return pending;
    }

    /// <summary>Moves every pending file into place; one that cannot be moved is finished by the next import.</summary>
    public void Publish()
    {
        foreach (var (pending, final) in files)
        {
            try
            {
                // A file that appeared under the name since it was claimed is kept; the report stays pending and the next import removes it.
                File.Move(pending, final, overwrite: false);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        files.Clear();
    }

    /// <summary>Deletes the pending files of an import that did not commit.</summary>
    public void Abandon()
    {
        foreach (var (pending, _) in files)
        {
            Delete(pending);
        }

        files.Clear();
    }

    /// <summary>Finishes or removes what an earlier, killed import of this workspace left pending.</summary>
    public void Recover(Workspace ws)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var pending in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            var name = Path.GetFileName(pending)[Prefix.Length..^Suffix.Length];
            var final = Path.Combine(directory, name);
            var id = ImportId().Match(name);
            var committed = id.Success && !File.Exists(final) && Convert.ToInt64(
                ws.Scalar(ImportSql.CountImport(ws.Dialect), int.Parse(id.Groups[1].Value, CultureInfo.InvariantCulture)),
                CultureInfo.InvariantCulture) > 0;
            if (committed)
            {
                try
                {
                    File.Move(pending, final);
                    continue;
                }
                catch (IOException)
                {
                }
            }

            Delete(pending);
        }
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"^import-(\d{1,9})-")]
    private static partial Regex ImportId();
}

using SalesKpi.Core;

namespace SalesKpi.Import;

/// <summary>How one import was asked for.</summary>
public sealed record ImportOptions
{
    /// <summary>Files and folders to import; a folder contributes every canonical <c>*.csv</c> in it.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>When set, files are read through this mapping profile instead of as canonical CSV.</summary>
    public MappingProfile? Profile { get; init; }

    /// <summary>When true, everything is read, mapped and validated, then rolled back: nothing is stored and no file is written; reports carry a preview of the first mapped rows.</summary>
    public bool DryRun { get; init; }

    /// <summary>When true, any rejected row or file rolls the whole import back.</summary>
    public bool Strict { get; init; }

    /// <summary>Folder for rejects and warnings files; default <c>&lt;workspace name&gt;-rejects</c> beside the workspace file (<c>sales-rejects</c> for <c>sales.duckdb</c>).</summary>
    public string? ReportDirectory { get; init; }

    /// <summary>
    /// The language of what the import writes for people: the reasons in rejects files, the warnings file and the
    /// import log. The report itself carries messages, rendered by the host.
    /// </summary>
    public Language Language { get; init; } = Language.En;

    /// <summary>Receives one line per finished phase with its duration (for <c>--verbose</c> and benchmarks); null for none.</summary>
    public Action<string>? Trace { get; init; }

    /// <summary>
    /// Called inside the import's transaction when it reaches each <see cref="ImportStage"/>; null for none. It lets
    /// a host inject faults (fail, or hold the import so it can be killed at that point): an exception it throws
    /// fails the import like any other error, with nothing stored.
    /// </summary>
    public Action<ImportStage>? AtStage { get; init; }
}

/// <summary>The points of an import at which <see cref="ImportOptions.AtStage"/> is called.</summary>
public enum ImportStage
{
    /// <summary>A file's rows are appended to its staging table, before duplicates and replacements are resolved.</summary>
    RowsAppended,

    /// <summary>Everything is stored and logged and the report files are pending; the next step is the commit.</summary>
    BeforeCommit,
}

/// <summary>
/// A class of warnings found in one file: rows kept, but something about them is suspect.
/// <see cref="Count"/> rows have it; <see cref="SampleLines"/> lists up to five of their line numbers.
/// </summary>
/// <param name="Column">The column the warning is about.</param>
/// <param name="Message">What is suspect, as a message the host renders.</param>
/// <param name="Count">How many rows have it.</param>
/// <param name="SampleLines">Up to five line numbers, ascending.</param>
public sealed record ImportWarning(string Column, Msg Message, long Count, IReadOnlyList<long> SampleLines);

/// <summary>How many rows of one file were rejected for one reason (a dry run writes no rejects file, so this is what it can show).</summary>
/// <param name="Column">The column the reason is about; null when it is about the whole row.</param>
/// <param name="Reason">The reason, as written to the rejects file.</param>
/// <param name="Count">How many rows were rejected for it.</param>
public sealed record RejectReason(string? Column, string Reason, long Count);

/// <summary>
/// The outcome of one file. Always <c>Read = Stored + Rejected</c>. When <see cref="Error"/> is set the
/// whole file was rejected and every row it has counts as rejected.
/// </summary>
public sealed record FileReport
{
    /// <summary>Full path of the input file.</summary>
    public required string Path { get; init; }

    /// <summary>Id of this file in the import log; stored rows carry it as <c>file_id</c>.</summary>
    public required int FileId { get; init; }

    /// <summary>The entity recognised from the file name; null when none was.</summary>
    public string? Entity { get; init; }

    /// <summary>Data rows read (blank lines are not rows).</summary>
    public long Read { get; init; }

    /// <summary>Rows accepted and written to the store.</summary>
    public long Stored { get; init; }

    /// <summary>Rows rejected, each with line, column and reason in the rejects file.</summary>
    public long Rejected { get; init; }

    /// <summary>Keys that were not in the store before this file.</summary>
    public long Inserted { get; init; }

    /// <summary>Keys that were in the store and were replaced.</summary>
    public long Replaced { get; init; }

    /// <summary>Accepted rows folded into another row of the same key (exact duplicates, or spend rows summed).</summary>
    public long Merged { get; init; }

    /// <summary>Header columns that are not part of the contract and were ignored.</summary>
    public IReadOnlyList<string> IgnoredColumns { get; init; } = [];

    /// <summary>Warning classes found in the stored rows.</summary>
    public IReadOnlyList<ImportWarning> Warnings { get; init; } = [];

    /// <summary>Where the rejected rows were written; null when none were.</summary>
    public string? RejectsPath { get; init; }

    /// <summary>Why the whole file was rejected; null when it was read.</summary>
    public Msg? Error { get; init; }

    /// <summary>The rejected rows grouped by column and reason, the most frequent first (at most 20 groups); empty when none was rejected row by row.</summary>
    public IReadOnlyList<RejectReason> RejectReasons { get; init; } = [];

    /// <summary>With a dry run: the first stored rows as they would be stored (column → value); empty otherwise.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Preview { get; init; } = [];
}

/// <summary>The outcome of one import (one transaction).</summary>
public sealed record ImportReport
{
    /// <summary>Number of this import in the workspace's import log; 0 when rolled back.</summary>
    public required int ImportId { get; init; }

    /// <summary>One report per input file, in import order.</summary>
    public required IReadOnlyList<FileReport> Files { get; init; }

    /// <summary>True when <c>--strict</c> rolled the import back because something was rejected, or it was a dry run.</summary>
    public bool RolledBack { get; init; }

    /// <summary>True for a dry run (rolled back by design).</summary>
    public bool DryRun { get; init; }

    /// <summary>Files of an imported folder that the profile does not describe: not read, not counted, no effect on the exit code.</summary>
    public IReadOnlyList<SkippedFile> Skipped { get; init; } = [];

    /// <summary>Where all warnings were written row by row; null when there were none.</summary>
    public string? WarningsPath { get; init; }

    /// <summary>Rows read over all files.</summary>
    public long Read => Files.Sum(f => f.Read);

    /// <summary>Rows stored over all files (0 when rolled back).</summary>
    public long Stored => RolledBack ? 0 : Files.Sum(f => f.Stored);

    /// <summary>Rows rejected over all files.</summary>
    public long Rejected => Files.Sum(f => f.Rejected);

    /// <summary>
    /// The documented exit code: 0 when every row was stored, 2 when some rows or files were rejected
    /// but something was stored, 1 when nothing was stored because of rejections or a rollback.
    /// </summary>
    public int ExitCode =>
        DryRun ? (Rejected == 0 && Files.All(f => f.Error is null) ? 0 : 2)
        : RolledBack ? 1
        : Rejected == 0 && Files.All(f => f.Error is null) ? 0
        : Stored > 0 ? 2
        : 1;
}

/// <summary>A file found in an imported folder and left out, with the reason as a sentence fragment for the user.</summary>
public sealed record SkippedFile(string Path, Msg Reason);

/// <summary>Receives progress of a running import; implementations must be cheap and thread-safe.</summary>
public interface IImportProgress
{
    /// <summary>A file starts; <paramref name="bytes"/> is its size.</summary>
    void FileStarted(string path, long bytes);

    /// <summary>Reading has reached <paramref name="bytesRead"/> bytes and <paramref name="rows"/> rows.</summary>
    void Advanced(string path, long bytesRead, long rows);

    /// <summary>A file is done (stored, or rejected as a whole).</summary>
    void FileFinished(FileReport report);

    /// <summary>A step across all files starts (checking references, writing reports, committing).</summary>
    void Step(Msg description);
}

/// <summary>An <see cref="IImportProgress"/> that ignores everything.</summary>
public sealed class NoProgress : IImportProgress
{
    /// <summary>The shared instance.</summary>
    public static NoProgress Instance { get; } = new();

    /// <inheritdoc />
    public void FileStarted(string path, long bytes)
    {
    }

    /// <inheritdoc />
    public void Advanced(string path, long bytesRead, long rows)
    {
    }

    /// <inheritdoc />
    public void FileFinished(FileReport report)
    {
    }

    /// <inheritdoc />
    public void Step(Msg description)
    {
    }
}

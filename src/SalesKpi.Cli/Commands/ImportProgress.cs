using SalesKpi.Core;
using SalesKpi.Import;
using Spectre.Console;

namespace SalesKpi.Cli.Commands;

/// <summary>
/// Shows an import's progress once it has run for more than a second: a live progress bar on a
/// terminal, plain lines on stderr when output is redirected (logs, CI).
/// </summary>
internal sealed class ImportProgress(CliHost host, IReadOnlyList<string> files) : IImportProgress
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    private readonly long totalBytes = files.Sum(f => new FileInfo(f).Length);
    private readonly Lock gate = new();
    private long doneBytes;
    private long fileBytes;
    private long rows;
    private string current = string.Empty;

    public void FileStarted(string path, long bytes)
    {
        lock (gate)
        {
            current = Path.GetFileName(path);
            fileBytes = 0;
        }
    }

    public void Advanced(string path, long bytesRead, long rowsRead)
    {
        lock (gate)
        {
            fileBytes = bytesRead;
            rows = rowsRead;
        }
    }

    public void FileFinished(FileReport report)
    {
        lock (gate)
        {
            doneBytes += new FileInfo(report.Path).Length;
            fileBytes = 0;
        }
    }

    public void Step(Msg description)
    {
        lock (gate)
        {
            current = description.Render(Loc.Current);
        }
    }

    /// <summary>Blocks until <paramref name="run"/> ends, drawing progress if it takes longer than a second.</summary>
    public void ShowWhileRunning(Task run)
    {
        if (Ended(run, Delay))
        {
            return;
        }

        if (host.Interactive)
        {
            host.Console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Loc.T("importing", "импорт"), maxValue: Math.Max(1, totalBytes));
                    while (!Ended(run, TimeSpan.FromMilliseconds(100)))
                    {
                        var (label, value) = Snapshot();
                        task.Description = Markup.Escape(label);
                        task.Value = value;
                    }

                    task.Value = task.MaxValue;
                });
            return;
        }

        while (!Ended(run, PlainEvery))
        {
            var (label, value) = Snapshot();
            host.Error.WriteLine(Loc.F("… {0}: {1:P0} of bytes", "… {0}: {1:P0} байт", label, (double)value / Math.Max(1, totalBytes)));
        }
    }

    // The caller observes the task's own exception; here only "has it ended" matters.
    private static bool Ended(Task run, TimeSpan wait) => ((IAsyncResult)run).AsyncWaitHandle.WaitOne(wait);

    private (string Label, long Bytes) Snapshot()
    {
        lock (gate)
        {
            var label = rows > 0 && fileBytes > 0 ? Loc.F("{0} ({1} rows)", "{0} ({1} строк)", current, Output.N(rows)) : current;
            return (label, Math.Min(totalBytes, doneBytes + fileBytes));
        }
    }
}

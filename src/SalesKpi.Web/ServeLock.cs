using SalesKpi.Core;

namespace SalesKpi.Web;

/// <summary>
/// The claim of one server on one workspace: an exclusive lock on the file <c>&lt;workspace&gt;.serve.lock</c> beside it,
/// held for the server's lifetime. A second server on the same workspace fails to take it and says which file is
/// held; the lock goes with the process (the operating system releases it even after a crash), so a stale file left
/// behind never blocks the next start.
/// </summary>
public sealed class ServeLock : IDisposable
{
    private readonly FileStream stream;

    private ServeLock(FileStream stream, string path)
    {
        this.stream = stream;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The lock file of <paramref name="workspacePath"/>.</summary>
    public static string PathFor(string workspacePath) => System.IO.Path.GetFullPath(workspacePath) + ".serve.lock";

    /// <summary>Takes the lock of <paramref name="workspacePath"/>; throws a <see cref="SalesKpiException"/> (code <c>server.busy</c>) when another server holds it.</summary>
    public static ServeLock Acquire(string workspacePath)
    {
        var path = PathFor(workspacePath);
        try
        {
            // FileShare.None is an exclusive advisory lock on Unix and a sharing lock on Windows: both refuse a second holder.
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return new ServeLock(stream, path);
        }
        catch (IOException ex)
        {
            throw new SalesKpiException(
                Msg.Of(
                    "server.busy",
                    "Another 'saleskpi serve' already serves {0} (it holds {1}): stop it first, or call that server.",
                    "Рабочую область {0} уже обслуживает другой «saleskpi serve» (он держит {1}): сначала остановите его или обращайтесь к нему.",
                    workspacePath,
                    path),
                ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new SalesKpiException(
                Msg.Of("server.lock_denied", "Cannot create the server lock {0}: the folder of the workspace is not writable.", "Не удаётся создать блокировку сервера {0}: папка рабочей области недоступна для записи.", path),
                ex);
        }
    }

    /// <summary>Releases the lock and removes its file.</summary>
    public void Dispose() => stream.Dispose();
}

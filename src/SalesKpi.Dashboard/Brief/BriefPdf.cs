using System.Diagnostics;
using System.Globalization;
using SalesKpi.Core;

namespace SalesKpi.Dashboard.Brief;

/// <summary>
/// Prints an HTML document to PDF offline with a headless Chromium from the operating system (docs/brief.md says why
/// not a PDF library): the HTML is written to a private temporary folder, Chromium prints it with its A4 print CSS,
/// and the folder (HTML, PDF, Chromium's profile) is deleted afterwards, also on failure or timeout.
/// </summary>
public static class BriefPdf
{
    /// <summary>The environment variable that names the Chromium executable; hosts read it and pass it to <see cref="Locate"/>.</summary>
    public const string ChromiumVariable = "SALESKPI_CHROMIUM";

    /// <summary>How long a print may take before the browser is stopped.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The Chromium to print with: <paramref name="configured"/> (the value of <see cref="ChromiumVariable"/>) when set,
    /// else <c>chromium</c> or <c>chromium-browser</c> found in the folders of <paramref name="pathVariable"/>; null when none.
    /// A configured path that does not exist is returned as it is, so the error names it.
    /// </summary>
    public static string? Locate(string? configured, string? pathVariable)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        foreach (var dir in (pathVariable ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var name in new[] { "chromium", "chromium-browser" })
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Throws the error <see cref="PrintAsync"/> would give when <paramref name="chromium"/> (from <see cref="Locate"/>) is missing, so a host can fail before computing anything.</summary>
    public static void Require([System.Diagnostics.CodeAnalysis.NotNull] string? chromium)
    {
        if (chromium is null || !File.Exists(chromium))
        {
            throw new SalesKpiException(Missing(chromium));
        }
    }

    /// <summary>
    /// Prints <paramref name="html"/> to PDF with <paramref name="chromium"/> (from <see cref="Locate"/>); throws a
    /// <see cref="SalesKpiException"/> saying what to install or set when there is no browser, when it fails, or when it
    /// takes longer than <paramref name="timeout"/>.
    /// </summary>
    public static async Task<byte[]> PrintAsync(string html, string? chromium, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(html);
        Require(chromium);

        var folder = Path.Combine(Path.GetTempPath(), "saleskpi-pdf-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        try
        {
            var page = Path.Combine(folder, "brief.html");
            var pdf = Path.Combine(folder, "brief.pdf");
            await File.WriteAllTextAsync(page, html, cancellationToken).ConfigureAwait(false);
            var start = new ProcessStartInfo(chromium)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };

            // A private profile, no network services, no header and footer lines (date, file path) on the pages. The GPU
            // work (none: software) stays in the browser process and no crash reporter starts: two processes fewer to
            // start (docs/benchmarks.md; --no-zygote was slower, --single-process crashes).
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync", "--disable-component-update",
                "--in-process-gpu", "--disable-breakpad", "--disable-crash-reporter", "--disable-software-rasterizer",
                "--user-data-dir=" + Path.Combine(folder, "profile"), "--no-pdf-header-footer", "--print-to-pdf-no-header",
                "--print-to-pdf=" + pdf, new Uri(page).AbsoluteUri,
            })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new SalesKpiException(Missing(chromium));
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                throw new SalesKpiException(Msg.Of("pdf.timeout", "Chromium did not finish printing the PDF within {0:N0} s; it was stopped. Try again, or use --format html.", "Chromium не успел напечатать PDF за {0:N0} с и был остановлен. Повторите попытку или используйте --format html.", timeout.TotalSeconds));
            }

            if (process.ExitCode != 0 || !File.Exists(pdf) || new FileInfo(pdf).Length == 0)
            {
                var detail = (await stderr.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? string.Empty;
                throw new SalesKpiException(Msg.Of("pdf.failed", "Chromium ({0}) could not print the PDF (exit code {1}): {2}", "Chromium ({0}) не смог напечатать PDF (код выхода {1}): {2}", chromium, process.ExitCode, detail));
            }

            return await File.ReadAllBytesAsync(pdf, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A browser child still closing may hold the profile for a moment; the temp folder is the system's to clean.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static Msg Missing(string? configured) => configured is null
        ? Msg.Of(
            "pdf.no_chromium",
            "A PDF needs a headless Chromium, and none was found: {0} is not set and there is no chromium on the PATH. Install it (Debian/Ubuntu: apt-get install chromium fonts-dejavu-core) or set {0} to its path; --format html needs nothing.",
            "Для PDF нужен Chromium в режиме headless, но он не найден: {0} не задана и chromium нет в PATH. Установите его (Debian/Ubuntu: apt-get install chromium fonts-dejavu-core) или укажите путь к нему в {0}; для --format html ничего не нужно.",
            ChromiumVariable)
        : Msg.Of(
            "pdf.chromium_not_found",
            "A PDF needs a headless Chromium, and {0} = {1} does not exist. Install Chromium (Debian/Ubuntu: apt-get install chromium fonts-dejavu-core) or correct {0}; --format html needs nothing.",
            "Для PDF нужен Chromium в режиме headless, а {0} = {1} не существует. Установите Chromium (Debian/Ubuntu: apt-get install chromium fonts-dejavu-core) или исправьте {0}; для --format html ничего не нужно.",
            ChromiumVariable,
            configured);
}

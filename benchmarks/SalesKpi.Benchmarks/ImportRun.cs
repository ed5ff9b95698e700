using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SalesKpi.Benchmarks;

/// <summary>Times a whole 'saleskpi import' of a generated leads.csv, as a process, several times.</summary>
public static partial class ImportRun
{
    public static int Run(string[] args)
    {
        var rows = Option(args, "--rows", 1_000_000);
        var runs = Option(args, "--runs", 5);
        var keep = args.SkipWhile(a => a != "--keep").Skip(1).FirstOrDefault();
        var dir = keep ?? Path.Combine(Path.GetTempPath(), "saleskpi-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        try
        {
            Machine.Print();
            var mapped = args.Contains("--mapped");
            var csv = Path.Combine(dir, mapped ? "bitrix24-leads.csv" : "leads.csv");
            var gen = Stopwatch.StartNew();
            if (mapped)
            {
                LeadsGenerator.WriteBitrix(csv, rows);
            }
            else
            {
                LeadsGenerator.Write(csv, rows);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated {rows:N0} leads ({new FileInfo(csv).Length / 1e6:F0} MB) in {gen.Elapsed.TotalSeconds:F1} s"));

            var times = new List<double>();
            var peaks = new List<int>();
            for (var run = 1; run <= runs; run++)
            {
                var db = Path.Combine(dir, "bench.duckdb");
                File.Delete(db);
                File.Delete(db + ".wal");
                Cli(dir, "init", "--db", db);
                var sw = Stopwatch.StartNew();
                var (code, err) = mapped
                    ? Cli(dir, "import", csv, "--db", db, "--profile", "bitrix24", "--verbose")
                    : Cli(dir, "import", csv, "--db", db, "--verbose");
                var seconds = sw.Elapsed.TotalSeconds;
                if (code != 0)
                {
                    Console.Error.WriteLine(err);
                    return 1;
                }

                var peak = Peak(err);
                times.Add(seconds);
                peaks.Add(peak);
                var phases = string.Join("; ", err.Split('\n').Where(l => l.StartsWith("trace: ", StringComparison.Ordinal) && !l.Contains("peak", StringComparison.Ordinal)).Select(l => l[7..].Trim()));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}: {seconds:F2} s end to end, peak {peak} MB ({phases})"));
            }

            times.Sort();
            peaks.Sort();
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{(mapped ? "mapped (Bitrix24 profile) " : string.Empty)}import {rows:N0} leads: median {times[times.Count / 2]:F2} s (min {times[0]:F2}, max {times[^1]:F2}); {rows / times[times.Count / 2]:N0} rows/s; peak memory median {peaks[peaks.Count / 2]} MB (max {peaks[^1]})"));
            return 0;
        }
        finally
        {
            if (keep is null)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    internal static (int Code, string Err) Cli(string cwd, params string[] args) => CliWithOutput(cwd, args) is var r ? (r.Code, r.Err) : default;

    internal static (int Code, string Out, string Err) CliWithOutput(string cwd, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = cwd, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "saleskpi.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["SALESKPI_LANG"] = "en";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, err);
    }

    internal static int Peak(string stderr) => int.Parse(PeakLine().Match(stderr).Groups[1].Value, CultureInfo.InvariantCulture);

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    [GeneratedRegex(@"peak memory: (\d+) MB")]
    private static partial Regex PeakLine();
}

/// <summary>Prints what the figures were measured on.</summary>
public static class Machine
{
    public static void Print()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var mem = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim() : "?";
        Console.WriteLine($"machine: {cpu ?? "unknown CPU"}, {Environment.ProcessorCount} cores, {mem} RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }
}

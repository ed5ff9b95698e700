using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SalesKpi.Benchmarks;

/// <summary>Runs 'saleskpi demo --verbose' as a process per size and reports generation rate, import rate per entity and peak memory.</summary>
public static partial class DemoRun
{
    public static int Run(string[] args)
    {
        var i = Array.IndexOf(args, "--leads");
        var sizes = (i >= 0 ? args[i + 1] : "1000000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture));
        Machine.Print();
        if (args.Contains("--generate-only"))
        {
            return GenerateOnly(sizes);
        }

        foreach (var leads in sizes)
        {
            var dir = Path.Combine(Path.GetTempPath(), "saleskpi-demo-bench-" + leads.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            try
            {
                var sw = Stopwatch.StartNew();
                var (code, stdout, err) = ImportRun.CliWithOutput(dir, "demo", "--leads", leads.ToString(CultureInfo.InvariantCulture), "--db", Path.Combine(dir, "demo.duckdb"), "--verbose");
                var total = sw.Elapsed.TotalSeconds;
                if (code != 0)
                {
                    Console.Error.WriteLine(err);
                    return 1;
                }

                Console.WriteLine("  " + stdout.Split('\n').First(l => l.StartsWith("Generated", StringComparison.Ordinal)));
                var gen = GenLine().Match(err);
                var genSeconds = double.Parse(gen.Groups[2].Value, CultureInfo.InvariantCulture);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo {leads:N0} leads: {total:F1} s end to end, peak memory {ImportRun.Peak(err)} MB"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  generation: {gen.Groups[1].Value} rows in {genSeconds:F2} s = {leads / genSeconds:N0} leads/s"));
                foreach (Match m in FileLine().Matches(err))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  import {m.Groups[1].Value}: {m.Groups[2].Value} ms"));
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        return 0;
    }

    /// <summary>Times the generator alone, in this process (three runs per size, median), with the process's peak memory.</summary>
    private static int GenerateOnly(IEnumerable<long> sizes)
    {
        foreach (var leads in sizes)
        {
            var dir = Path.Combine(Path.GetTempPath(), "saleskpi-gen-bench");
            var times = new List<double>();
            for (var run = 0; run < 3; run++)
            {
                var summary = SalesKpi.Demo.DemoGenerator.Write(dir, new SalesKpi.Demo.DemoOptions { Leads = leads, Now = new DateTime(2026, 11, 27, 12, 0, 0) });
                times.Add(summary.Elapsed.TotalSeconds);
                if (run == 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {leads:N0} leads → {summary.Rows.Values.Sum():N0} rows, {Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length) / 1e6:F0} MB of CSV"));
                }
            }

            Directory.Delete(dir, recursive: true);
            times.Sort();
            using var self = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generate {leads:N0} leads: median {times[1]:F2} s = {leads / times[1]:N0} leads/s (min {times[0]:F2}, max {times[2]:F2}); process peak memory {self.PeakWorkingSet64 / (1024 * 1024)} MB"));
        }

        return 0;
    }

    [GeneratedRegex(@"trace: generated ([\d]+) rows in ([\d.]+) s")]
    private static partial Regex GenLine();

    [GeneratedRegex(@"trace: (\S+\.csv) read and appended: (\d+) ms")]
    private static partial Regex FileLine();
}

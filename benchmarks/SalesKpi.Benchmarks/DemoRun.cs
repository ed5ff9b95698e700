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
        foreach (var leads in sizes)
        {
            var dir = Path.Combine(Path.GetTempPath(), "saleskpi-demo-bench-" + leads.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            try
            {
                var sw = Stopwatch.StartNew();
                var (code, err) = ImportRun.Cli(dir, "demo", "--leads", leads.ToString(CultureInfo.InvariantCulture), "--db", Path.Combine(dir, "demo.duckdb"), "--verbose");
                var total = sw.Elapsed.TotalSeconds;
                if (code != 0)
                {
                    Console.Error.WriteLine(err);
                    return 1;
                }

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

    [GeneratedRegex(@"trace: generated ([\d]+) rows in ([\d.]+) s")]
    private static partial Regex GenLine();

    [GeneratedRegex(@"trace: (\S+\.csv) read and appended: (\d+) ms")]
    private static partial Regex FileLine();
}

using System.Diagnostics;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Storage;
using SalesKpi.Tests.Import;

namespace SalesKpi.Benchmarks;

/// <summary>
/// The import fuzz campaign: thousands of deterministic mutations of samples/canonical through the real
/// importer, each checked by the invariants of <see cref="ImportFuzz"/> (shared with the test suite).
/// </summary>
public static class FuzzRun
{
    public static int Run(string[] args)
    {
        var count = Option(args, "--cases", 1280);
        var seed = Option(args, "--seed", 2026);
        var samples = Path.Combine(Directory.GetCurrentDirectory(), "samples", "canonical");
        if (!Directory.Exists(samples))
        {
            Console.Error.WriteLine("Run from the repository root (samples/canonical not found).");
            return 1;
        }

        var dir = Path.Combine(Path.GetTempPath(), "saleskpi-fuzz-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        try
        {
            Machine.Print();
            var clock = Stopwatch.StartNew();
            var outcomes = new List<FuzzOutcome>();
            using (var ws = Workspace.Create(Path.Combine(dir, "fuzz.duckdb"), new WorkspaceSettings("UTC", "RUB"), TimeProvider.System))
            {
                foreach (var chunk in ImportFuzz.Cases(samples, seed, count).Chunk(EntityCatalog.All.Length))
                {
                    outcomes.AddRange(ImportFuzz.CheckAll(ws, dir, chunk));
                    foreach (var c in chunk)
                    {
                        Directory.Delete(Path.Combine(dir, $"case-{c.Id}"), recursive: true);
                    }
                }
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"cases: {outcomes.Count} (seed {seed}) in {seconds:F1} s, {outcomes.Count / seconds:F1} files/s"));
            Console.WriteLine("by sample: " + string.Join(", ", outcomes.GroupBy(o => o.Case.FileName).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
            Console.WriteLine("outcomes: " + string.Join(", ", outcomes.GroupBy(o => o.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
            Console.WriteLine(string.Create(inv, $"rows: read {outcomes.Sum(o => o.Read)} = stored {outcomes.Sum(o => o.Stored)} + rejected {outcomes.Sum(o => o.Rejected)}"));
            var broken = outcomes.Where(o => o.Violations.Count > 0).ToList();
            Console.WriteLine(string.Create(inv, $"cases breaking an invariant: {broken.Count}"));
            foreach (var o in broken.Take(30))
            {
                Console.WriteLine($"  case {o.Case.Id} {o.Case.FileName} [{o.Case.Mutations}]: {string.Join(" / ", o.Violations)}");
            }

            // The decisions of issue 11 items 2, 6 and 7 are only checked where the mutations reach them.
            Console.WriteLine(string.Create(inv, $"cases reaching: file rejected whole with rows {outcomes.Count(o => o.Kind == "whole-file" && o.Read > 0)}, NUL after the first 8 KB {outcomes.Count(o => NulAfter8K(o.Case.Bytes))}, repeated BOM {outcomes.Count(o => o.Case.Bytes.AsSpan().StartsWith("\uFEFF\uFEFF"u8))}, unclosed quote {outcomes.Count(o => Unclosed(o.Case.Bytes))}"));

            return broken.Count == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static bool NulAfter8K(byte[] b) => b.Length > 8192 && !b.AsSpan(0, 8192).Contains((byte)0) && b.AsSpan(8192).Contains((byte)0);

    private static bool Unclosed(byte[] b) => ImportFuzz.Reference.Split(System.Text.Encoding.UTF8.GetString(b)).Any(r => r.Unterminated);

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}

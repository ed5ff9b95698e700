namespace SalesKpi.Benchmarks;

/// <summary>What every benchmark mode shares: its options, the median it reports, and the machine's load beside it.</summary>
internal static class BenchSupport
{
    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/>.</summary>
    public static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>The median of <paramref name="xs"/> (the upper one of an even count); sorts the list.</summary>
    public static double Median(List<double> xs)
    {
        xs.Sort();
        return xs[xs.Count / 2];
    }

    /// <summary>The 1, 5 and 15 minute load averages, or "?" where /proc/loadavg does not exist.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}

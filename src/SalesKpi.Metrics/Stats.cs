namespace SalesKpi.Metrics;

/// <summary>The interval estimates of the specification.</summary>
public static class Stats
{
    private const double Z = 1.96;

    /// <summary>
    /// The 95 % Wilson score interval of <paramref name="successes"/> out of <paramref name="n"/>;
    /// null when <paramref name="n"/> is 0. Bounds lie in [0, 1].
    /// </summary>
    public static Interval? Wilson(long successes, long n)
    {
        if (n <= 0)
        {
            return null;
        }

        var p = (double)successes / n;
        var z2 = Z * Z;
        var denom = 1 + (z2 / n);
        var center = (p + (z2 / (2 * n))) / denom;
        var half = Z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n))) / denom;
        return new Interval((decimal)Math.Max(0, center - half), (decimal)Math.Min(1, center + half));
    }

    /// <summary>
    /// The NPS interval: NPS ± 1.96·SE with SE = 100·√((p₊ + p₋ − (p₊ − p₋)²) / n), clamped to
    /// [−100, 100]; null when <paramref name="n"/> is 0.
    /// </summary>
    public static Interval? Nps(long promoters, long detractors, long n)
    {
        if (n <= 0)
        {
            return null;
        }

        var pp = (double)promoters / n;
        var pd = (double)detractors / n;
        var nps = 100 * (pp - pd);
        var se = 100 * Math.Sqrt(Math.Max(0, (pp + pd - ((pp - pd) * (pp - pd))) / n));
        return new Interval((decimal)Math.Max(-100, nps - (Z * se)), (decimal)Math.Min(100, nps + (Z * se)));
    }
}

using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Analyses;

/// <summary>
/// The outcome of testing a change between two periods: the two-sided p-value and the test's name, or,
/// when the samples are too small for the test's approximation, no p-value and the reason as a message.
/// </summary>
/// <param name="PValue">Two-sided p-value; null when not tested.</param>
/// <param name="Test">The test's name (<c>two-proportion z</c>, <c>NPS difference z</c>, <c>Welch t</c>, <c>Poisson rate z</c>).</param>
/// <param name="NotTestedReason">Why no p-value was computed; null when tested.</param>
public sealed record ChangeTest(double? PValue, string Test, Msg? NotTestedReason)
{
    /// <summary>A change that was not tested, for <paramref name="reason"/>.</summary>
    public static ChangeTest NotTested(string test, Msg reason) => new(null, test, reason);
}

/// <summary>
/// The one place where diagnose and the scorecard decide whether a change is tested at all, and test it.
/// Every test here is a large-sample (normal) approximation, so each needs enough data on both sides:
/// proportions at least <see cref="MinExpected"/> expected successes and failures per period under the
/// pooled proportion (n·p̄ ≥ 5 and n·(1 − p̄) ≥ 5); NPS and means at least <see cref="MinUnits"/> answers or
/// units per period; lead counts at least <see cref="MinEvents"/> per period. The NPS difference uses the
/// pooled standard error (both periods' answers together, as under "no change"), so a period whose answers
/// are all alike (standard error 0) does not leave the test resting on the other period alone. A slice is
/// named as a driver only with at least <see cref="MinDriverUnits"/> units in each period.
/// </summary>
public static class SignificanceRules
{
    /// <summary>Least expected successes and failures per period for the two-proportion z-test.</summary>
    public const int MinExpected = 5;

    /// <summary>Least answers (NPS) or units (means) per period.</summary>
    public const int MinUnits = 30;

    /// <summary>Least events per period for the Poisson rate test.</summary>
    public const int MinEvents = 10;

    /// <summary>Least units per period of a slice named as the driver of a change.</summary>
    public const int MinDriverUnits = 10;

    /// <summary>Two-proportion z-test (pooled) of <paramref name="x1"/>/<paramref name="n1"/> against <paramref name="x2"/>/<paramref name="n2"/>.</summary>
    public static ChangeTest Proportions(long x1, long n1, long x2, long n2)
    {
        const string Name = "two-proportion z";
        if (n1 <= 0 || n2 <= 0)
        {
            return ChangeTest.NotTested(Name, Msg.Of("not_tested.no_units", "no units in one of the periods", "в одном из периодов нет наблюдений"));
        }

        var pooled = (double)(x1 + x2) / (n1 + n2);
        var leastExpected = Math.Min(n1, n2) * Math.Min(pooled, 1 - pooled);
        if (leastExpected < MinExpected)
        {
            return ChangeTest.NotTested(Name, Msg.Of(
                "not_tested.too_few_expected",
                "too few to test: each period needs at least {0} expected successes and {0} failures (here {1:N1})",
                "слишком мало данных для проверки: в каждом периоде нужно не меньше {0} ожидаемых успехов и {0} неуспехов (здесь {1:N1})",
                MinExpected,
                leastExpected));
        }

        return new ChangeTest(Stats.TwoProportionP(x1, n1, x2, n2), Name, null);
    }

    /// <summary>z-test of an NPS difference with the pooled standard error.</summary>
    public static ChangeTest Nps(long promoters1, long detractors1, long n1, long promoters2, long detractors2, long n2)
    {
        const string Name = "NPS difference z";
        if (Math.Min(n1, n2) < MinUnits)
        {
            return ChangeTest.NotTested(Name, TooFew(n1, n2, Msg.Of("not_tested.answers", "answers", "ответов")));
        }

        var difference = 100.0 * ((((double)promoters2 - detractors2) / n2) - (((double)promoters1 - detractors1) / n1));
        var pooledVariance = Math.Pow(Stats.NpsStandardError(promoters1 + promoters2, detractors1 + detractors2, n1 + n2) / 100, 2) * (n1 + n2);
        var se = 100 * Math.Sqrt(pooledVariance * ((1.0 / n1) + (1.0 / n2)));
        var p = Stats.DifferenceP(difference, se);
        return p is null
            ? ChangeTest.NotTested(Name, Msg.Of("not_tested.no_spread_nps", "every answer in both periods is alike", "все ответы в обоих периодах одинаковы"))
            : new ChangeTest(p, Name, null);
    }

    /// <summary>Welch's t-test of two means with sample SDs.</summary>
    public static ChangeTest Means(double mean1, double sd1, long n1, double mean2, double sd2, long n2)
    {
        const string Name = "Welch t";
        if (Math.Min(n1, n2) < MinUnits)
        {
            return ChangeTest.NotTested(Name, TooFew(n1, n2, Msg.Of("not_tested.units", "units", "наблюдений")));
        }

        var p = double.IsNaN(sd1) || double.IsNaN(sd2) ? null : Stats.WelchP(mean1, sd1, n1, mean2, sd2, n2);
        return p is null
            ? ChangeTest.NotTested(Name, Msg.Of("not_tested.no_spread", "fewer than two units or no spread in a period", "меньше двух наблюдений или нет разброса в периоде"))
            : new ChangeTest(p, Name, null);
    }

    /// <summary>z-test of two Poisson counts over their exposures (e.g. leads over days).</summary>
    public static ChangeTest Rates(long x1, double t1, long x2, double t2)
    {
        const string Name = "Poisson rate z";
        if (Math.Min(x1, x2) < MinEvents)
        {
            return ChangeTest.NotTested(Name, Msg.Of(
                "not_tested.too_few_events",
                "too few to test: {0} and {1}, at least {2} in each period are needed",
                "слишком мало данных для проверки: {0} и {1}, нужно не меньше {2} в каждом периоде",
                x1,
                x2,
                MinEvents));
        }

        return new ChangeTest(Stats.PoissonRateP(x1, t1, x2, t2), Name, null);
    }

    /// <summary>
    /// Whether a slice has enough units in both periods to be named as a driver: its denominator for a
    /// proportion, its count for a count, else its n; a slice absent from a period has 0 there.
    /// </summary>
    public static bool CanDrive(KpiDef kpi, KpiResult? before, KpiResult? after)
    {
        static long Units(KpiDef kpi, KpiResult? r) => r is null ? 0
            : kpi.IsProportion ? (long)(r.Denominator ?? 0)
            : kpi.Unit == KpiUnit.Count ? (long)(r.Value ?? 0)
            : r.N;
        return Math.Min(Units(kpi, before), Units(kpi, after)) >= MinDriverUnits;
    }

    private static Msg TooFew(long n1, long n2, Msg what) => Msg.Of(
        "not_tested.too_few_units",
        "too few {0} to test: {1} and {2}, at least {3} in each period are needed",
        "слишком мало {0} для проверки: {1} и {2}, нужно не меньше {3} в каждом периоде",
        what,
        n1,
        n2,
        MinUnits);
}

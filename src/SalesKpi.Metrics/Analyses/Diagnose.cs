using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Analyses;

/// <summary>The slice whose change explains most of a KPI's change.</summary>
/// <param name="Dimension">owner or channel.</param>
/// <param name="Value">The slice value.</param>
/// <param name="Contribution">Its part of the total change, in the KPI's unit (the parts of all slices add up to the change).</param>
public sealed record Driver(string Dimension, string Value, decimal Contribution);

/// <summary>
/// One statistically significant change between two periods: of a KPI, or of a pipeline stage's
/// conversion. <see cref="Better"/> is null for KPIs without a better direction.
/// </summary>
public sealed record Finding
{
    /// <summary>The KPI id, or <c>stage</c> for a pipeline-stage finding.</summary>
    public required string Kpi { get; init; }

    /// <summary>For a stage finding: the stage deals move on from.</summary>
    public string? Stage { get; init; }

    /// <summary>Value in the earlier period.</summary>
    public required decimal Before { get; init; }

    /// <summary>Value in the later period.</summary>
    public required decimal After { get; init; }

    /// <summary>Two-sided p-value of the test.</summary>
    public required double PValue { get; init; }

    /// <summary>The test: <c>two-proportion z</c>, <c>Welch t</c>, <c>NPS difference z</c> or <c>Poisson rate z</c>.</summary>
    public required string Test { get; init; }

    /// <summary>True when the change is an improvement, false when it is a deterioration, null when neutral.</summary>
    public bool? Better { get; init; }

    /// <summary>The slice that drives the change, when it could be computed.</summary>
    public Driver? Driver { get; init; }

    /// <summary>
    /// The finding in plain words, as a message (<c>diagnose.kpi_changed</c> or <c>diagnose.stage_changed</c>)
    /// whose arguments are the KPI's name, the values as numbers and the periods.
    /// </summary>
    public required Msg Text { get; init; }

    /// <summary>The command that drills into it.</summary>
    public required string Drill { get; init; }
}

/// <summary>The findings of one comparison.</summary>
/// <param name="After">The period diagnosed.</param>
/// <param name="Before">The period compared with.</param>
/// <param name="Findings">Significant changes, most significant first.</param>
/// <param name="Unchanged">KPIs tested without a significant change.</param>
/// <param name="NotTested">KPIs that could not be tested, with the reason as a message.</param>
public sealed record DiagnoseReport(Period After, Period Before, ImmutableArray<Finding> Findings, ImmutableArray<string> Unchanged, ImmutableArray<(string Kpi, Msg Reason)> NotTested);

/// <summary>
/// Compares two periods and reports only the changes that are statistically significant (p &lt; α):
/// proportions by the two-proportion z-test, means by Welch's t-test, NPS by its difference over the
/// combined standard error, lead counts as Poisson rates per day, and each pipeline stage's
/// conversion by the z-test again. For each change it names the owner or channel whose own shift
/// explains most of it — the total's change split exactly into per-slice parts
/// (x₂ₛ/N₂ − x₁ₛ/N₁ for a proportion or mean, x₂ₛ − x₁ₛ for a count). Samples too small for a test's
/// approximation, and slices too small to drive a change, follow <see cref="SignificanceRules"/>.
/// </summary>
public sealed class DiagnoseEngine(Workspace ws)
{
    private static readonly string[] DriverDimensions = ["owner", "channel"];

    /// <summary>Diagnoses <paramref name="after"/> against <paramref name="before"/>.</summary>
    public DiagnoseReport Run(Period after, Period before, DateTimeOffset asOf, KpiParameters p, string dbArgument, double alpha = 0.05)
    {
        var engine = new KpiEngine(ws);
        // One engine pass per dimension: the two periods as two buckets of one request (when they do not overlap), and
        // the totals come with the first dimension's slices (grouping sets), so they are not computed again alone.
        (KpiReport Before, KpiReport After) Reports(string dimension, IReadOnlyList<KpiDef> kpis)
        {
            ReportRequest Request(Period period) => new() { Period = period, By = [dimension], Kpis = kpis, AsOf = asOf, Parameters = p };
            if (before.End > after.Start && after.End > before.Start)
            {
                return (engine.Run(Request(before)), engine.Run(Request(after)));
            }

            var first = before.Start < after.Start ? before : after;
            var last = first == before ? after : before;
            var both = engine.Run(Request(Period.Range(first.Start, last.End)) with { Buckets = [first, last] });
            KpiReport Of(Period period) => both with { Results = [.. both.Results.Where(r => r.Period == period)] };
            return (Of(before), Of(after));
        }

        var sliced = new Dictionary<string, (KpiReport Before, KpiReport After)> { [DriverDimensions[0]] = Reports(DriverDimensions[0], KpiCatalog.All) };
        var totals = (Before: Totals(sliced[DriverDimensions[0]].Before), After: Totals(sliced[DriverDimensions[0]].After));
        static KpiReport Totals(KpiReport report) => report with { Results = [.. report.Results.Where(r => r.IsTotal)] };

        var findings = new List<Finding>();
        var unchanged = new List<string>();
        var notTested = new List<(string, Msg)>();
        var significant = new List<(KpiDef Kpi, KpiResult B, KpiResult A, double PValue, string Test)>();
        foreach (var kpi in KpiCatalog.All)
        {
            var b = totals.Before.Results.Single(r => r.Kpi == kpi);
            var a = totals.After.Results.Single(r => r.Kpi == kpi);
            if (b.Value is null || a.Value is null)
            {
                notTested.Add((kpi.Id, (b.Value is null ? b.Reason : a.Reason) ?? Msg.Of("diagnose.undefined", "undefined", "не определено")));
                continue;
            }

            var (pValue, test, why) = Test(kpi, b, a, before, after);
            if (pValue is null)
            {
                notTested.Add((kpi.Id, why ?? Msg.Of("diagnose.no_test", "no test applies", "проверка неприменима")));
                continue;
            }

            if (pValue >= alpha)
            {
                unchanged.Add(kpi.Id);
                continue;
            }

            significant.Add((kpi, b, a, pValue.Value, test));
        }

        // The other driver dimensions only for the KPIs that changed: a slice of the rest is never read.
        var changed = significant.Select(x => x.Kpi).ToList();
        foreach (var dimension in DriverDimensions.Skip(1))
        {
            if (changed.Any(k => k.Dimensions.Contains(dimension)))
            {
                sliced[dimension] = Reports(dimension, changed);
            }
        }

        foreach (var (kpi, b, a, pValue, test) in significant)
        {
            var driver = DriverOf(kpi, b, a, sliced);
            findings.Add(new Finding
            {
                Kpi = kpi.Id,
                Before = b.Value!.Value,
                After = a.Value!.Value,
                PValue = pValue,
                Test = test,
                Better = Better(kpi.Direction, a.Value.Value - b.Value.Value),
                Driver = driver,
                Text = Describe(kpi, before, b.Value.Value, a.Value.Value, pValue, driver),
                Drill = driver is null
                    ? $"saleskpi explain {kpi.Id}{dbArgument} --period {after.Label}"
                    : $"saleskpi explain {kpi.Id}{dbArgument} --period {after.Label} --slice \"{driver.Dimension}={driver.Value}\"",
            });
        }

        findings.AddRange(StageFindings(after, before, asOf, p, dbArgument, alpha));
        return new DiagnoseReport(after, before, [.. findings.OrderBy(f => f.PValue).ThenByDescending(f => Math.Abs(f.After - f.Before))], [.. unchanged], [.. notTested]);
    }

    // The sample-size rules and the tests themselves live in SignificanceRules, shared with the scorecard.
    private static ChangeTest Test(KpiDef kpi, KpiResult b, KpiResult a, Period before, Period after)
    {
        double Sd(KpiResult r, string key) => r.Details.TryGetValue(key, out var v) && v is { } d ? (double)d : double.NaN;
        ChangeTest Welch(string sdKey, decimal? meanBefore = null, decimal? meanAfter = null) =>
            SignificanceRules.Means((double)(meanBefore ?? b.Value!.Value), Sd(b, sdKey), b.N, (double)(meanAfter ?? a.Value!.Value), Sd(a, sdKey), a.N);

        var test = KpiDefinitions.For(kpi).Test;
        return test.Kind switch
        {
            ChangeTestKind.TwoProportionZ => SignificanceRules.Proportions((long)b.Numerator!.Value, (long)b.Denominator!.Value, (long)a.Numerator!.Value, (long)a.Denominator!.Value),
            ChangeTestKind.NpsDifferenceZ => SignificanceRules.Nps((long)b.Details[DetailKeys.Promoters]!.Value, (long)b.Details[DetailKeys.Detractors]!.Value, b.N, (long)a.Details[DetailKeys.Promoters]!.Value, (long)a.Details[DetailKeys.Detractors]!.Value, a.N),
            ChangeTestKind.PoissonRateZ => SignificanceRules.Rates((long)b.Value!.Value, before.Days, (long)a.Value!.Value, after.Days),
            ChangeTestKind.WelchT when test.MeanDetail is { } mean => Welch(test.SpreadDetail!, b.Details[mean], a.Details[mean]),
            ChangeTestKind.WelchT => Welch(test.SpreadDetail!),
            _ => ChangeTest.NotTested(string.Empty, Msg.Of("not_tested.ratio_of_sums", "a ratio of sums: no variance model to test it", "отношение сумм: нет модели дисперсии для проверки")),
        };
    }

    /// <summary>The slice with the largest part of the change, in the change's direction.</summary>
    private static Driver? DriverOf(KpiDef kpi, KpiResult b, KpiResult a, Dictionary<string, (KpiReport Before, KpiReport After)> sliced)
    {
        var delta = a.Value!.Value - b.Value!.Value;
        Driver? best = null;
        foreach (var (dim, reports) in sliced)
        {
            if (!kpi.Dimensions.Contains(dim))
            {
                continue;
            }

            var before = reports.Before.Results.Where(r => r.Kpi == kpi && !r.IsTotal).ToDictionary(r => r.Slice[dim]);
            var after = reports.After.Results.Where(r => r.Kpi == kpi && !r.IsTotal).ToDictionary(r => r.Slice[dim]);
            foreach (var value in before.Keys.Union(after.Keys))
            {
                // A slice of a handful of units swings by chance: it is not named as the cause of a change.
                if (!SignificanceRules.CanDrive(kpi, before.GetValueOrDefault(value), after.GetValueOrDefault(value)))
                {
                    continue;
                }

                var part = Mass(kpi, after.GetValueOrDefault(value), a) - Mass(kpi, before.GetValueOrDefault(value), b);
                if (part is { } c && Math.Sign(c) == Math.Sign(delta) && (best is null || Math.Abs(c) > Math.Abs(best.Contribution)))
                {
                    best = new Driver(dim, value, c);
                }
            }
        }

        return best;
    }

    /// <summary>A slice's share of its total: x/N for proportions and means (so the parts add up to the total), x for counts.</summary>
    private static decimal? Mass(KpiDef kpi, KpiResult? slice, KpiResult total)
    {
        if (slice is null)
        {
            return 0;
        }

        return KpiDefinitions.For(kpi).Test.Kind switch
        {
            ChangeTestKind.PoissonRateZ => slice.Value ?? 0,
            ChangeTestKind.TwoProportionZ => total.Denominator > 0 ? (slice.Numerator ?? 0) / total.Denominator : null,
            ChangeTestKind.NpsDifferenceZ => total.N > 0 ? 100m * ((slice.Details.GetValueOrDefault(DetailKeys.Promoters) ?? 0) - (slice.Details.GetValueOrDefault(DetailKeys.Detractors) ?? 0)) / total.N : null,
            _ => total.N > 0 && slice.Value is { } v ? v * slice.N / total.N : null,
        };
    }

    private IEnumerable<Finding> StageFindings(Period after, Period before, DateTimeOffset asOf, KpiParameters p, string dbArgument, double alpha)
    {
        var funnel = new FunnelEngine(ws);
        var a = funnel.Run(after, asOf, p);
        var b = funnel.Run(before, asOf, p);
        var stagesA = a.Steps.Where(s => s.Section == "deals").ToList();
        var stagesB = b.Steps.Where(s => s.Section == "deals").ToList();
        for (var i = 2; i < stagesA.Count && i < stagesB.Count; i++)
        {
            if (stagesA[i].Name != stagesB[i].Name)
            {
                continue;
            }

            var from = stagesA[i - 1];
            var pValue = SignificanceRules.Proportions(stagesB[i].Count, stagesB[i - 1].Count, stagesA[i].Count, from.Count).PValue;
            if (pValue is not { } pv || pv >= alpha || stagesA[i].StepConversion is not { } convA || stagesB[i].StepConversion is not { } convB)
            {
                continue;
            }

            object days = from.DaysInStageMedian is { } dA && stagesB[i - 1].DaysInStageMedian is { } dB
                ? (object)Msg.Of("diagnose.stage_days", "; deals spend a median {0:N1} days there ({1:+0.0;-0.0;0.0})", "; сделки проводят там в среднем (медиана) {0:N1} дн. ({1:+0.0;-0.0;0.0})", dA, dA - dB)
                : string.Empty;
            yield return new Finding
            {
                Kpi = "stage",
                Stage = from.Name,
                Before = convB,
                After = convA,
                PValue = pv,
                Test = ChangeTestSpec.TwoProportion.Name,
                Better = convA > convB,
                Text = Msg.Of(
                    "diagnose.stage_changed",
                    "Stage '{0}' now passes {1} of deals on to '{2}' ({3} in {4}, {5}){6}",
                    "Этап «{0}» теперь передаёт на «{2}» {1} сделок ({3} в {4}, {5}){6}",
                    from.Name, Pct(convA), stagesA[i].Name, Pct(convB), before.Label, P(pv), days),
                Drill = $"saleskpi funnel{dbArgument} --period {after.Label}",
            };
        }
    }

    private static bool? Better(KpiDirection direction, decimal delta) => direction switch
    {
        KpiDirection.Higher => delta > 0,
        KpiDirection.Lower => delta < 0,
        _ => null,
    };

    private static Msg Describe(KpiDef kpi, Period before, decimal b, decimal a, double p, Driver? driver)
    {
        // Numbers travel as arguments with their format in the template; only the choice of format and unit
        // word depends on the KPI's unit, so that choice is a nested message.
        var verb = a > b ? Msg.Of("diagnose.rose", "rose", "рост") : Msg.Of("diagnose.fell", "fell", "снижение");
        object change = kpi.Unit switch
        {
            KpiUnit.Ratio => Points((a - b) * 100),
            KpiUnit.Nps => Msg.Of("format.signed", "{0:+0.0;-0.0}", "{0:+0.0;-0.0}", a - b),
            _ => b != 0 ? Msg.Of("format.signed_percent", "{0:+0.0;-0.0} %", "{0:+0.0;-0.0} %", (a - b) / Math.Abs(b) * 100) : string.Empty,
        };
        Msg V(decimal v) => kpi.Unit switch
        {
            KpiUnit.Ratio => Pct(v),
            KpiUnit.Count => Msg.Of("format.count", "{0:N0}", "{0:N0}", v),
            _ => Msg.Of("format.number", "{0:N1}", "{0:N1}", v),
        };
        object drivenBy = string.Empty;
        if (driver is not null)
        {
            object part = kpi.Unit switch
            {
                KpiUnit.Ratio => Points(driver.Contribution * 100),
                _ => Msg.Of("format.signed_number", "{0:+#,0.0;-#,0.0}", "{0:+#,0.0;-#,0.0}", driver.Contribution),
            };
            drivenBy = Msg.Of("diagnose.driver", "; most of it comes from {0} = {1} ({2})", "; больше всего изменение дал срез {0} = {1} ({2})", driver.Dimension, driver.Value, part);
        }

        return Msg.Of(
            "diagnose.kpi_changed",
            "{0} {1} from {2} in {3} to {4} ({5}, {6}){7}",
            "{0}: {1} с {2} в {3} до {4} ({5}, {6}){7}",
            kpi.Title,
            verb,
            V(b),
            before.Label,
            V(a),
            change,
            P(p),
            drivenBy);
    }

    private static Msg Points(decimal points) => Msg.Of("format.percentage_points", "{0:+0.0;-0.0} pp", "{0:+0.0;-0.0} п.п.", points);

    private static Msg Pct(decimal fraction) => Msg.Of("format.percent", "{0:N1} %", "{0:N1} %", fraction * 100);

    private static Msg P(double p) => p < 0.001
        ? Msg.Of("format.p_below", "p < {0:0.000}", "p < {0:0.000}", 0.001)
        : Msg.Of("format.p_value", "p = {0:0.000}", "p = {0:0.000}", p);
}

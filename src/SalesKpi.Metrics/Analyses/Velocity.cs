using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Metrics.Analyses;

/// <summary>The four factors of sales velocity in one period: V = deals × win rate × deal size ÷ cycle days.</summary>
/// <param name="Deals">Deals created in the period.</param>
/// <param name="WinRate">Win rate (fraction).</param>
/// <param name="DealSize">Average deal size.</param>
/// <param name="CycleDays">Sales-cycle length in days.</param>
public sealed record VelocityFactors(decimal Deals, decimal WinRate, decimal DealSize, decimal CycleDays)
{
    /// <summary>The velocity these factors give, money per day.</summary>
    public decimal Velocity => Deals * WinRate * DealSize / CycleDays;
}

/// <summary>One factor's part in a change of velocity.</summary>
/// <param name="Factor"><c>deals</c>, <c>win_rate</c>, <c>deal_size</c> or <c>cycle_length</c>.</param>
/// <param name="Before">The factor's value before.</param>
/// <param name="After">The factor's value after.</param>
/// <param name="Share">Its share of the change (shares add up to 1; null when velocity did not change).</param>
/// <param name="Contribution">Its part of the change in money per day (parts add up to the change).</param>
public sealed record VelocityPart(string Factor, decimal Before, decimal After, decimal? Share, decimal Contribution);

/// <summary>A change of velocity split into its factors.</summary>
/// <param name="Before">Velocity before.</param>
/// <param name="After">Velocity after.</param>
/// <param name="Parts">The four factors' parts.</param>
public sealed record VelocityChange(decimal Before, decimal After, ImmutableArray<VelocityPart> Parts);

/// <summary>
/// Splits a change of sales velocity into its four factors by logarithms: ln V₂ − ln V₁ is exactly
/// the sum of ln(f₂ / f₁) over deals, win rate and deal size, minus that of cycle length, so each
/// factor's share is its log-ratio over the total and the shares — and the money contributions,
/// share × (V₂ − V₁) — add up exactly. A longer cycle shows as a negative contribution.
/// </summary>
public static class VelocityDecomposition
{
    /// <summary>Decomposes; every factor must be positive (else the logarithms are undefined).</summary>
    public static VelocityChange Compute(VelocityFactors before, VelocityFactors after)
    {
        var logs = new (string Name, decimal B, decimal A, double Log)[]
        {
            ("deals", before.Deals, after.Deals, Ln(after.Deals / before.Deals)),
            ("win_rate", before.WinRate, after.WinRate, Ln(after.WinRate / before.WinRate)),
            ("deal_size", before.DealSize, after.DealSize, Ln(after.DealSize / before.DealSize)),
            ("cycle_length", before.CycleDays, after.CycleDays, -Ln(after.CycleDays / before.CycleDays)),
        };
        var total = logs.Sum(l => l.Log);
        var delta = after.Velocity - before.Velocity;
        var parts = logs.Select(l => Math.Abs(total) < 1e-12
            ? new VelocityPart(l.Name, l.B, l.A, null, 0)
            : new VelocityPart(l.Name, l.B, l.A, (decimal)(l.Log / total), (decimal)(l.Log / total) * delta));
        return new VelocityChange(before.Velocity, after.Velocity, [.. parts]);

        static double Ln(decimal ratio) => Math.Log((double)ratio);
    }

    /// <summary>
    /// Reads the factors of <paramref name="before"/> and <paramref name="after"/> from the KPI engine and
    /// decomposes the change; null (with the reason) when a factor is undefined or zero in either period.
    /// </summary>
    public static (VelocityChange? Change, Msg? Reason) Between(KpiEngine engine, Period before, Period after, DateTimeOffset asOf, KpiParameters parameters)
    {
        var b = Factors(engine, before, asOf, parameters, out var whyBefore);
        var a = Factors(engine, after, asOf, parameters, out var whyAfter);
        return b is null || a is null ? (null, whyBefore ?? whyAfter) : (Compute(b, a), null);
    }

    private static VelocityFactors? Factors(KpiEngine engine, Period period, DateTimeOffset asOf, KpiParameters parameters, out Msg? reason)
    {
        var velocity = engine.Run(new ReportRequest { Period = period, Kpis = [KpiCatalog.Get("sales_velocity")], AsOf = asOf, Parameters = parameters }).Results.Single();
        var d = velocity.Details;
        if (velocity.Value is null || d["deals_created"] is not > 0 || d["win_rate"] is not > 0 || d["average_deal_size"] is not > 0 || d["sales_cycle_length"] is not > 0)
        {
            reason = Msg.Of("velocity_undefined", "velocity in {0} is undefined or has a zero factor ({1})", "скорость продаж в {0} не определена или один из множителей равен нулю ({1})", period.Label, (object?)velocity.Reason ?? "0");
            return null;
        }

        reason = null;
        return new VelocityFactors(d["deals_created"]!.Value, d["win_rate"]!.Value, d["average_deal_size"]!.Value, d["sales_cycle_length"]!.Value);
    }
}

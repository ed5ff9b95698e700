using SalesKpi.Core;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>What a funnel asks for.</summary>
/// <param name="Period">The period, or null for the current year.</param>
/// <param name="AsOf">The as-of moment, or null for now.</param>
/// <param name="By">One dimension to split by, or null.</param>
public sealed record FunnelQuery(string? Period, string? AsOf, string? By);

/// <summary>A computed funnel.</summary>
/// <param name="Funnel">The steps, slices and stalled deals.</param>
/// <param name="Currency">The workspace currency.</param>
/// <param name="Zone">The workspace time zone.</param>
/// <param name="Warnings">Warnings for the user, in the caller's language.</param>
public sealed record FunnelAnswer(FunnelReport Funnel, string Currency, TimeZoneInfo Zone, IReadOnlyList<Msg> Warnings);

/// <summary>The funnel use case: where the cycle loses deals and time.</summary>
public sealed class FunnelService
{
    /// <summary>Computes the funnel <paramref name="query"/> asks for.</summary>
    public FunnelAnswer Run(FunnelQuery query, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        var zone = ws.Settings.Zone;
        var (period, asOf, warnings) = TimeRules.Resolve(ws, query.Period, query.AsOf, DefaultPeriod.CurrentYear, ctx.Clock);
        var funnel = new FunnelEngine(ws).Run(period, asOf, ParameterStore.For(ws, period, asOf), query.By);
        return new FunnelAnswer(funnel, ws.Settings.Currency, zone, warnings);
    }
}

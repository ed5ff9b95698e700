using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Metrics.KpiSystem;

/// <summary>
/// The KPI definition parameters of a workspace (windows, SLA, bases, quality rules, calendar): part of
/// its versioned KPI system, so every change here is a new <see cref="ConfigStore"/> version.
/// </summary>
public static class ParameterStore
{
    /// <summary>The parameters of the latest KPI-system version (the defaults when there is none).</summary>
    public static KpiParameters Load(Workspace ws) => ConfigStore.Current(ws).Parameters;

    /// <summary>The parameters of the version in force for <paramref name="period"/> (see <see cref="ConfigStore"/>).</summary>
    public static KpiParameters For(Workspace ws, Period period, DateTimeOffset asOf) => ConfigStore.For(ws, period, asOf).Config.Parameters;

    /// <summary>Validates one change and stores it as a new version; returns the parameters now in force.</summary>
    public static KpiParameters Set(Workspace ws, string name, string value, TimeProvider clock, string author)
    {
        var config = ConfigStore.Current(ws);
        var updated = config.Parameters.Set(name, value);
        ConfigStore.Apply(ws, config with { Parameters = updated }, "params set " + name.Trim().ToLowerInvariant() + " " + value.Trim(), author, clock, source: "params set");
        return updated;
    }

    /// <summary>Returns one parameter (or all, when <paramref name="name"/> is null) to its default, as a new version.</summary>
    public static void Reset(Workspace ws, string? name, TimeProvider clock, string author)
    {
        var config = ConfigStore.Current(ws);
        var defaults = new KpiParameters();
        var key = name?.Trim().ToLowerInvariant();
        var updated = key is null
            ? defaults with { Calendar = config.Parameters.Calendar }
            : config.Parameters.Set(key, defaults.ToDictionary().TryGetValue(key, out var d) ? d : throw Unknown(key));
        ConfigStore.Apply(ws, config with { Parameters = updated }, "params reset" + (key is null ? string.Empty : " " + key), author, clock, source: "params reset");
    }

    private static SalesKpiException Unknown(string key) => new(Msg.Of(
        "params.unknown",
        "Unknown KPI parameter '{0}': use one of {1}.",
        "Неизвестный параметр KPI «{0}»: используйте один из {1}.",
        key,
        string.Join(", ", new KpiParameters().ToDictionary().Keys)));
}

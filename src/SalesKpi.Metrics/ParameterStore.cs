using SalesKpi.Core.Kpis;
using SalesKpi.Storage;

namespace SalesKpi.Metrics;

/// <summary>
/// Keeps the KPI definition parameters of a workspace (windows, SLA, bases, quality rules) in its
/// settings, as the changes from the specification's defaults.
/// </summary>
public static class ParameterStore
{
    private const string Prefix = "param.";

    /// <summary>The workspace's parameters: the defaults with every stored change applied.</summary>
    public static KpiParameters Load(Workspace ws) =>
        ws.ReadSettings(Prefix).Aggregate(new KpiParameters(), (p, kv) => p.Set(kv.Key, kv.Value));

    /// <summary>Validates and stores one change; returns the parameters now in force.</summary>
    public static KpiParameters Set(Workspace ws, string name, string value)
    {
        var updated = Load(ws).Set(name, value);
        var key = name.Trim().ToLowerInvariant();
        ws.WriteSetting(Prefix + key, updated.ToDictionary()[key]);
        return updated;
    }

    /// <summary>Returns one parameter (or all, when <paramref name="name"/> is null) to its default.</summary>
    public static void Reset(Workspace ws, string? name)
    {
        var defaults = new KpiParameters().ToDictionary();
        var key = name?.Trim().ToLowerInvariant();
        if (key is not null && !defaults.ContainsKey(key))
        {
            _ = new KpiParameters().Set(key, string.Empty); // throws the "unknown parameter" error listing the names
        }

        foreach (var k in key is null ? defaults.Keys : [key])
        {
            ws.DeleteSetting(Prefix + k);
        }
    }
}

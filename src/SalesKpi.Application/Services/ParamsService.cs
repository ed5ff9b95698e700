using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>The definition parameters after a params call.</summary>
/// <param name="Current">Every parameter's value in force, by name.</param>
/// <param name="Defaults">Every parameter's default, by name.</param>
/// <param name="Calendar">The business calendar's description, or null for calendar time.</param>
public sealed record ParamsAnswer(IReadOnlyDictionary<string, string> Current, IReadOnlyDictionary<string, string> Defaults, string? Calendar);

/// <summary>The params use case: show, set or reset definition parameters, each change a new KPI-system version by the acting user.</summary>
public sealed class ParamsService
{
    /// <summary>Runs <paramref name="action"/> (show, set NAME VALUE, reset [NAME]) and returns the parameters in force afterwards.</summary>
    public ParamsAnswer Run(string action, string? name, string? value, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(ctx);
        using var ws = ctx.Open(action.Equals("show", StringComparison.OrdinalIgnoreCase) ? WorkspaceAccess.ReadOnly : WorkspaceAccess.ReadWrite);
        using var tx = ws.BeginTransaction();
        if (ws.Access == WorkspaceAccess.ReadWrite)
        {
            // Read the version this change builds on only once no other writer of the KPI system can store one.
            ConfigStore.Lock(ws);
        }

        var latest = ConfigStore.Latest(ws)?.Number;
        switch (action.ToLowerInvariant())
        {
            case "set" when name is not null && value is not null:
                ParameterStore.Set(ws, name, value, ctx.Clock, ctx.User);
                Audit(ws, latest, "params.set", name.Trim().ToLowerInvariant(), value.Trim(), ctx);
                break;
            case "set":
                throw new SalesKpiException(Msg.Of("params.set_needs_name_value", "'params set' needs a name and a value, e.g. 'saleskpi params set lead_to_sql_window_days 45'.", "«params set» требует имя и значение, например «saleskpi params set lead_to_sql_window_days 45»."));
            case "reset":
                ParameterStore.Reset(ws, name, ctx.Clock, ctx.User);
                Audit(ws, latest, "params.reset", name?.Trim().ToLowerInvariant() ?? "*", null, ctx);
                break;
            case "show":
                break;
            default:
                throw new SalesKpiException(Msg.Of("params.unknown_action", "Unknown action '{0}': use show, set or reset.", "Неизвестное действие «{0}»: используйте show, set или reset.", action));
        }

        tx.Commit();
        var loaded = ParameterStore.Load(ws);
        return new ParamsAnswer(loaded.ToDictionary(), new KpiParameters().ToDictionary(), loaded.Calendar?.Describe());
    }

    // A change that equals the version in force stores no version, and so is no change to record.
    private static void Audit(Workspace ws, int? before, string action, string name, string? value, RequestContext ctx)
    {
        if (ConfigStore.Latest(ws) is { } after && after.Number != before)
        {
            AuditService.Record(ws, ctx, action, name, [new("value", value), new("version", after.Number)]);
        }
    }
}

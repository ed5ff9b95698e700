using SalesKpi.Application.Contracts;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Application.Services;

/// <summary>
/// The audit use case: every change of a workspace (targets, KPI system, parameters, imports, snapshots, users) is
/// recorded with the acting user (<see cref="RequestContext.User"/>), the time from <see cref="RequestContext.Clock"/>,
/// an action code, its target and its arguments; the log is read newest first.
/// </summary>
public sealed class AuditService
{
    /// <summary>The most rows <see cref="List"/> returns at once.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>The latest <paramref name="limit"/> changes, newest first, and the workspace time zone to show them in.</summary>
    public (IReadOnlyList<AuditEntry> Entries, TimeZoneInfo Zone) List(int limit, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (limit is < 1 or > MaxLimit)
        {
            throw new SalesKpiException(Msg.Of("audit.bad_limit", "The audit limit must be from 1 to {0}, e.g. 50.", "Предел журнала аудита должен быть от 1 до {0}, например 50.", MaxLimit));
        }

        using var ws = ctx.Open(WorkspaceAccess.ReadOnly);
        return (AuditLog.Recent(ws, limit), ws.Settings.Zone);
    }

    /// <summary>
    /// Records one change on <paramref name="ws"/> (open for writing) by <see cref="RequestContext.User"/>; call it inside
    /// the change's transaction where there is one, so both commit or neither does.
    /// </summary>
    /// <param name="ws">The workspace the change was made in.</param>
    /// <param name="ctx">Who made it and when.</param>
    /// <param name="action">The action code, e.g. <c>targets.set</c>.</param>
    /// <param name="target">What was changed.</param>
    /// <param name="details">The change's arguments (null values are written as JSON null).</param>
    public static long Record(Workspace ws, RequestContext ctx, string action, string target, IEnumerable<KeyValuePair<string, object?>> details)
    {
        ArgumentNullException.ThrowIfNull(ws);
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(details);
        using var stream = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            foreach (var (name, value) in details)
            {
                switch (value)
                {
                    case null: w.WriteNull(name); break;
                    case bool b: w.WriteBoolean(name, b); break;
                    case int i: w.WriteNumber(name, i); break;
                    case long l: w.WriteNumber(name, l); break;
                    case decimal m: w.WriteNumber(name, JsonOut.Round(m)); break;
                    case double d: w.WriteNumber(name, d); break;
                    case IEnumerable<string> list:
                        w.WriteStartArray(name);
                        foreach (var item in list)
                        {
                            w.WriteStringValue(item);
                        }

                        w.WriteEndArray();
                        break;
                    case IFormattable f: w.WriteString(name, f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)); break;
                    default: w.WriteString(name, value.ToString()); break;
                }
            }

            w.WriteEndObject();
        }

        // One line per row (JsonOut indents for people).
        return AuditLog.Record(ws, ctx.Clock.GetUtcNow().UtcDateTime, ctx.User, action, target, System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}

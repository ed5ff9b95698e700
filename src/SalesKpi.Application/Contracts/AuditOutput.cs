using System.Globalization;
using System.Text.Json;
using SalesKpi.Storage;

namespace SalesKpi.Application.Contracts;

/// <summary>
/// The JSON of the audit log (<c>saleskpi audit --format json</c> and <c>GET /api/v1/audit</c>): <c>entries</c>, newest
/// first, each with <c>id</c>, <c>at</c> (UTC), <c>user</c>, <c>action</c>, <c>target</c> and <c>details</c> (an object).
/// </summary>
public static class AuditOutput
{
    /// <summary>The document of <paramref name="entries"/>.</summary>
    public static string Json(IReadOnlyList<AuditEntry> entries) => JsonOut.Write(w =>
    {
        ArgumentNullException.ThrowIfNull(entries);
        w.WriteStartObject();
        w.WriteStartArray("entries");
        foreach (var e in entries)
        {
            w.WriteStartObject();
            w.WriteNumber("id", e.Id);
            w.WriteString("at", DateTime.SpecifyKind(e.AtUtc, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            w.WriteString("user", e.User);
            w.WriteString("action", e.Action);
            w.WriteString("target", e.Target);
            w.WritePropertyName("details");
            using (var doc = JsonDocument.Parse(e.Details))
            {
                doc.RootElement.WriteTo(w);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });
}

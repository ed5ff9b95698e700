using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Core.Config;

/// <summary>
/// Writes a configuration as canonical YAML: every section and every parameter (defaults included) in a
/// fixed order, one item per line where possible, so two versions differ exactly where the system changed.
/// <see cref="KpiSystemParser"/> reads the output back to an equal configuration.
/// </summary>
public static class KpiSystemWriter
{
    private static readonly JsonSerializerOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The canonical YAML text of <paramref name="config"/>.</summary>
    public static string Write(KpiSystemConfig config)
    {
        var sb = new StringBuilder();
        sb.Append("version: 1\n");
        sb.Append("goals:").Append(config.Goals.IsEmpty ? " []\n" : "\n");
        foreach (var g in config.Goals)
        {
            sb.Append("  - id: ").Append(g.Id).Append('\n');
            sb.Append("    title: ").Append(Title(g.Title)).Append('\n');
            if (g.Horizon is not null)
            {
                sb.Append("    horizon: ").Append(Q(g.Horizon)).Append('\n');
            }

            sb.Append("    kpis:").Append(g.Kpis.IsEmpty ? " []\n" : "\n");
            foreach (var k in g.Kpis)
            {
                sb.Append("      - { kpi: ").Append(k.Kpi).Append(", weight: ").Append(N(k.Weight)).Append(" }\n");
            }
        }

        sb.Append("kpis:\n");
        if (config.Active is { } active)
        {
            sb.Append("  active: [").Append(string.Join(", ", active)).Append("]\n");
        }

        sb.Append("  custom:").Append(config.Custom.IsEmpty ? " []\n" : "\n");
        foreach (var c in config.Custom)
        {
            sb.Append("    - id: ").Append(c.Id).Append('\n');
            sb.Append("      title: ").Append(Title(c.Title)).Append('\n');
            if (c.IsRatio)
            {
                sb.Append("      ratio: { numerator: ").Append(c.Numerator).Append(", denominator: ").Append(c.Denominator).Append(" }\n");
                sb.Append("      unit: ").Append(Snake(c.Unit.ToString())).Append('\n');
                sb.Append("      direction: ").Append(Snake(c.Direction.ToString())).Append('\n');
            }
            else
            {
                sb.Append("      kpi: ").Append(c.Base).Append('\n');
                sb.Append("      filter: ").Append(Slice(c.Filter)).Append('\n');
            }
        }

        sb.Append("parameters:\n");
        foreach (var (name, value) in config.Parameters.ToDictionary())
        {
            sb.Append("  ").Append(name).Append(": ").Append(Q(value)).Append('\n');
        }

        if (config.Parameters.Calendar is { } cal)
        {
            sb.Append("  business_calendar:\n");
            sb.Append("    working_days: [").Append(string.Join(", ", cal.WorkingDays.Select(BusinessCalendar.DayName))).Append("]\n");
            sb.Append("    hours: ").Append(Q(string.Create(CultureInfo.InvariantCulture, $"{cal.Open:HH\\:mm}-{cal.Close:HH\\:mm}"))).Append('\n');
            sb.Append("    holidays: [").Append(string.Join(", ", cal.Holidays.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))).Append("]\n");
            if (cal.TimeZone is not null)
            {
                sb.Append("    time_zone: ").Append(Q(cal.TimeZone)).Append('\n');
            }
        }

        sb.Append("targets:").Append(config.Targets.IsEmpty ? " []\n" : "\n");
        foreach (var t in config.Targets.OrderBy(t => t.Kpi, StringComparer.Ordinal).ThenBy(t => t.Period, StringComparer.Ordinal).ThenBy(t => t.Key, StringComparer.Ordinal))
        {
            sb.Append("  - { kpi: ").Append(t.Kpi).Append(", period: ").Append(Q(t.Period));
            if (!t.Slice.IsEmpty)
            {
                sb.Append(", slice: ").Append(Slice(t.Slice));
            }

            sb.Append(", value: ").Append(N(t.Value)).Append(", tolerance: ").Append(N(t.TolerancePercent)).Append(" }\n");
        }

        return sb.ToString();
    }

    private static string Title(LocalizedText t) => "{ en: " + Q(t.En) + ", ru: " + Q(t.Ru) + " }";

    private static string Slice(IEnumerable<KeyValuePair<string, string>> slice) => "{ " + string.Join(", ", slice.Select(kv => kv.Key + ": " + Q(kv.Value))) + " }";

    private static string Q(string s) => JsonSerializer.Serialize(s, Quoting);

    private static string N(decimal d) => d.ToString("0.##########", CultureInfo.InvariantCulture);

    private static string Snake(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}

/// <summary>The commented example file <c>init</c> writes into a new workspace.</summary>
public static class KpiSystemTemplate
{
    /// <summary>The file name of the KPI system beside the workspace file.</summary>
    public const string FileName = "kpi-system.yaml";

    /// <summary>The configuration the example declares.</summary>
    public static KpiSystemConfig Config => KpiSystemParser.Parse(Text, FileName).Config!;

    /// <summary>The text of the commented example.</summary>
    public static string Text
    {
        get
        {
            using var stream = typeof(KpiSystemTemplate).Assembly.GetManifestResourceStream("kpi-system.template.yaml")!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}

using System.Globalization;
using System.Text.Json;

namespace SalesKpi.Dashboard;

/// <summary>
/// ECharts options as JSON, built on the server and read by <c>app.js</c> from a <c>data-chart</c> attribute, so a
/// page carries its numbers and the browser only draws them. Null values are gaps in a line.
/// </summary>
public static class Charts
{
    /// <summary>A sparkline: a small line with no axes over <paramref name="points"/> in order.</summary>
    public static string Sparkline(IReadOnlyList<(string Label, decimal? Value)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("animation", false);
            w.WriteStartObject("grid");
            w.WriteNumber("left", 2);
            w.WriteNumber("right", 2);
            w.WriteNumber("top", 4);
            w.WriteNumber("bottom", 2);
            w.WriteEndObject();
            w.WriteStartObject("xAxis");
            w.WriteString("type", "category");
            w.WriteBoolean("show", false);
            w.WriteBoolean("boundaryGap", false);
            w.WriteStartArray("data");
            foreach (var p in points)
            {
                w.WriteStringValue(p.Label);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("yAxis");
            w.WriteString("type", "value");
            w.WriteBoolean("show", false);
            w.WriteBoolean("scale", true);
            w.WriteEndObject();
            w.WriteStartObject("tooltip");
            w.WriteString("trigger", "axis");
            w.WriteEndObject();
            w.WriteStartArray("series");
            w.WriteStartObject();
            w.WriteString("type", "line");
            w.WriteBoolean("showSymbol", false);
            w.WriteNumber("symbolSize", 3);
            w.WriteStartObject("lineStyle");
            w.WriteNumber("width", 1.5);
            w.WriteEndObject();
            Values(w, points.Select(p => p.Value));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Writes <c>"data": [...]</c> with nulls for gaps; decimals as JSON numbers (invariant).</summary>
    internal static void Values(Utf8JsonWriter w, IEnumerable<decimal?> values)
    {
        w.WriteStartArray("data");
        foreach (var v in values)
        {
            if (v is { } d)
            {
                w.WriteRawValue(d.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                w.WriteNullValue();
            }
        }

        w.WriteEndArray();
    }

    /// <summary>The JSON text <paramref name="write"/> produces.</summary>
    internal static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            write(w);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}

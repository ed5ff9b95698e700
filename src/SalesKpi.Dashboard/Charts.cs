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
            Grid(w, 2, 2, 4, 2);
            w.WriteStartObject("xAxis");
            w.WriteString("type", "category");
            w.WriteBoolean("show", false);
            w.WriteBoolean("boundaryGap", false);
            Labels(w, points.Select(p => p.Label));
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

    /// <summary>
    /// A KPI's trend: the value as a line, its 95 % interval as a shaded band, and — where a bucket has a target —
    /// the target as a dashed line with its tolerance band. Ratios are drawn in percent, money and counts as they are.
    /// </summary>
    /// <param name="points">The buckets in order.</param>
    /// <param name="percent">Whether values are fractions to draw as percentages.</param>
    /// <param name="names">The legend's names: value, interval, target, tolerance band.</param>
    public static string Trend(IReadOnlyList<Pages.TrendPoint> points, bool percent, (string Value, string Interval, string Target, string Band) names)
    {
        ArgumentNullException.ThrowIfNull(points);
        var k = percent ? 100m : 1m;
        decimal? Scale(decimal? v) => v * k;
        var low = points.Select(p => Scale(p.Result?.Ci95?.Low)).ToList();
        var width = points.Select(p => p.Result?.Ci95 is { } ci ? (ci.High - ci.Low) * k : (decimal?)null).ToList();
        var target = points.Select(p => Scale(p.Target?.Value)).ToList();
        var bandLow = points.Select(p => p.Target is { } t ? (t.Value - (Math.Abs(t.Value) * t.TolerancePercent / 100)) * k : (decimal?)null).ToList();
        var bandWidth = points.Select(p => p.Target is { } t ? 2 * Math.Abs(t.Value) * t.TolerancePercent / 100 * k : (decimal?)null).ToList();
        var hasTarget = target.Any(t => t is not null);
        var hasInterval = width.Any(w => w is not null);
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("animation", false);
            Grid(w, 64, 24, 40, 32);
            w.WriteStartObject("tooltip");
            w.WriteString("trigger", "axis");
            w.WriteEndObject();
            w.WriteStartObject("legend");
            w.WriteNumber("top", 0);
            w.WriteStartArray("data");
            w.WriteStringValue(names.Value);
            if (hasInterval)
            {
                w.WriteStringValue(names.Interval);
            }

            if (hasTarget)
            {
                w.WriteStringValue(names.Target);
                w.WriteStringValue(names.Band);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("xAxis");
            w.WriteString("type", "category");
            Labels(w, points.Select(p => p.Label));
            w.WriteEndObject();
            w.WriteStartObject("yAxis");
            w.WriteString("type", "value");
            w.WriteBoolean("scale", true);
            if (percent)
            {
                w.WriteStartObject("axisLabel");
                w.WriteString("formatter", "{value} %");
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartArray("series");
            if (hasInterval)
            {
                Band(w, names.Interval, "ci", low, width, "#1f5fbf", 0.12);
            }

            if (hasTarget)
            {
                Band(w, names.Band, "tol", bandLow, bandWidth, "#17703a", 0.10);
                w.WriteStartObject();
                w.WriteString("name", names.Target);
                w.WriteString("type", "line");
                w.WriteString("step", "middle");
                w.WriteBoolean("connectNulls", false);
                w.WriteString("symbol", "none");
                w.WriteStartObject("lineStyle");
                w.WriteString("type", "dashed");
                w.WriteString("color", "#17703a");
                w.WriteNumber("width", 2);
                w.WriteEndObject();
                w.WriteStartObject("itemStyle");
                w.WriteString("color", "#17703a");
                w.WriteEndObject();
                Values(w, target);
                w.WriteEndObject();
            }

            w.WriteStartObject();
            w.WriteString("name", names.Value);
            w.WriteString("type", "line");
            w.WriteNumber("symbolSize", 6);
            w.WriteStartObject("lineStyle");
            w.WriteNumber("width", 2.5);
            w.WriteString("color", "#1f5fbf");
            w.WriteEndObject();
            w.WriteStartObject("itemStyle");
            w.WriteString("color", "#1f5fbf");
            w.WriteEndObject();
            Values(w, points.Select(p => Scale(p.Result?.Value)));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// The steps of a funnel as horizontal bars, first step on top: each bar's length is its count and its label
    /// the text the page formatted (count and conversion in the reader's culture), so the chart and the table agree.
    /// </summary>
    /// <param name="bars">The steps in order: axis label, count, and the text at the bar's end.</param>
    /// <param name="name">The series' name (for the tooltip).</param>
    /// <param name="colour">The bars' colour.</param>
    public static string FunnelBars(IReadOnlyList<(string Label, long Count, string Text)> bars, string name, string colour)
    {
        ArgumentNullException.ThrowIfNull(bars);
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("animation", false);
            Grid(w, 8, 150, 8, 8, containLabel: true);
            w.WriteStartObject("tooltip");
            w.WriteString("trigger", "item");
            w.WriteEndObject();
            w.WriteStartObject("xAxis");
            w.WriteString("type", "value");
            w.WriteBoolean("show", false);
            w.WriteEndObject();
            w.WriteStartObject("yAxis");
            w.WriteString("type", "category");
            w.WriteBoolean("inverse", true);
            w.WriteStartObject("axisTick");
            w.WriteBoolean("show", false);
            w.WriteEndObject();
            w.WriteStartObject("axisLabel");
            w.WriteString("color", "#1d2733");
            w.WriteNumber("fontSize", 13);
            w.WriteEndObject();
            Labels(w, bars.Select(b => b.Label));
            w.WriteEndObject();
            w.WriteStartArray("series");
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("type", "bar");
            w.WriteString("barMaxWidth", "70%");
            w.WriteStartObject("itemStyle");
            w.WriteString("color", colour);
            w.WriteEndObject();
            w.WriteStartArray("data");
            foreach (var b in bars)
            {
                w.WriteStartObject();
                w.WriteNumber("value", b.Count);
                w.WriteStartObject("label");
                w.WriteBoolean("show", true);
                w.WriteString("position", "right");
                w.WriteString("color", "#1d2733");
                w.WriteString("formatter", b.Text.Replace("{", "(", StringComparison.Ordinal).Replace("}", ")", StringComparison.Ordinal));
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// A waterfall: the first and last steps are totals drawn from zero, each step between them a change floating on a
    /// transparent stacked base at the running total (rises green, falls red), so the bars lead from the first total
    /// to the last. Each bar's label is the text the page formatted.
    /// </summary>
    /// <param name="steps">In order: axis label, the total (first and last) or the change, and the bar's text.</param>
    /// <param name="name">The series' name (for the tooltip).</param>
    public static string Waterfall(IReadOnlyList<(string Label, decimal Value, string Text)> steps, string name)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var bases = new List<decimal?>();
        var bars = new List<(decimal Height, string Colour, string Text)>();
        var running = 0m;
        for (var i = 0; i < steps.Count; i++)
        {
            var (_, value, text) = steps[i];
            if (i == 0 || i == steps.Count - 1)
            {
                bases.Add(0);
                bars.Add((value, "#1f5fbf", text));
                running = value;
            }
            else
            {
                bases.Add(Math.Round(Math.Min(running, running + value), 2));
                bars.Add((Math.Abs(value), value >= 0 ? "#17703a" : "#b3261e", text));
                running += value;
            }
        }

        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("animation", false);
            Grid(w, 8, 16, 24, 8, containLabel: true);
            w.WriteStartObject("xAxis");
            w.WriteString("type", "category");
            w.WriteStartObject("axisLabel");
            w.WriteString("color", "#1d2733");
            w.WriteNumber("interval", 0);
            w.WriteEndObject();
            Labels(w, steps.Select(s => s.Label));
            w.WriteEndObject();
            // The bars carry their values in the reader's culture; the axis' own numbers would be in the chart library's.
            w.WriteStartObject("yAxis");
            w.WriteString("type", "value");
            w.WriteStartObject("axisLabel");
            w.WriteBoolean("show", false);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartArray("series");
            w.WriteStartObject();
            w.WriteString("name", "base");
            w.WriteString("type", "bar");
            w.WriteString("stack", "waterfall");
            w.WriteBoolean("silent", true);
            w.WriteStartObject("itemStyle");
            w.WriteString("color", "transparent");
            w.WriteString("borderColor", "transparent");
            w.WriteEndObject();
            w.WriteStartObject("tooltip");
            w.WriteBoolean("show", false);
            w.WriteEndObject();
            Values(w, bases);
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("type", "bar");
            w.WriteString("stack", "waterfall");
            w.WriteString("barMaxWidth", "60%");
            w.WriteStartArray("data");
            foreach (var (height, colour, text) in bars)
            {
                w.WriteStartObject();
                w.WritePropertyName("value");
                w.WriteRawValue(Math.Round(height, 2).ToString(CultureInfo.InvariantCulture));
                w.WriteStartObject("itemStyle");
                w.WriteString("color", colour);
                w.WriteEndObject();
                w.WriteStartObject("label");
                w.WriteBoolean("show", true);
                w.WriteString("position", "top");
                w.WriteString("color", "#1d2733");
                w.WriteString("formatter", text.Replace("{", "(", StringComparison.Ordinal).Replace("}", ")", StringComparison.Ordinal));
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// A histogram of two distributions over the same bins (baseline in grey, scenario in blue, drawn over each
    /// other), each with its median as a dashed line; the scenario's 80 % and 95 % intervals are shaded.
    /// </summary>
    /// <param name="bins">Each bin's label and the counts of both distributions in it.</param>
    /// <param name="names">The legend's names of baseline and scenario, and the names of the marks.</param>
    /// <param name="marks">The bin index of each median and the bin ranges of the scenario's intervals.</param>
    public static string Histogram(
        IReadOnlyList<(string Label, int Baseline, int Scenario)> bins,
        (string Baseline, string Scenario, string Median, string Interval80, string Interval95, string Runs) names,
        (int BaselineMedian, int ScenarioMedian, int Low80, int High80, int Low95, int High95) marks)
    {
        ArgumentNullException.ThrowIfNull(bins);
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("animation", false);
            Grid(w, 56, 16, 36, 64);
            w.WriteStartObject("tooltip");
            w.WriteString("trigger", "axis");
            w.WriteEndObject();
            w.WriteStartObject("legend");
            w.WriteNumber("top", 0);
            w.WriteEndObject();
            w.WriteStartObject("xAxis");
            w.WriteString("type", "category");
            w.WriteStartObject("axisLabel");
            w.WriteNumber("rotate", 30);
            w.WriteNumber("interval", Math.Max(0, (bins.Count / 8) - 1));
            w.WriteString("color", "#1d2733");
            w.WriteEndObject();
            Labels(w, bins.Select(b => b.Label));
            w.WriteEndObject();
            w.WriteStartObject("yAxis");
            w.WriteString("type", "value");
            w.WriteString("name", names.Runs);
            w.WriteEndObject();
            w.WriteStartArray("series");
            HistogramSeries(w, names.Baseline, "#5f6b7a", bins.Select(b => b.Baseline), bins, "insideEndTop", [(names.Median, marks.BaselineMedian)], []);
            HistogramSeries(w, names.Scenario, "#1f5fbf", bins.Select(b => b.Scenario), bins, "end", [(names.Median, marks.ScenarioMedian)], [(names.Interval95, marks.Low95, marks.High95, 0.12), (names.Interval80, marks.Low80, marks.High80, 0.18)]);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void HistogramSeries(Utf8JsonWriter w, string name, string colour, IEnumerable<int> counts, IReadOnlyList<(string Label, int Baseline, int Scenario)> bins, string linePosition, IReadOnlyList<(string Name, int Bin)> lines, IReadOnlyList<(string Name, int From, int To, double Opacity)> areas)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("type", "bar");
        w.WriteString("barGap", "-100%");
        w.WriteString("barCategoryGap", "4%");
        w.WriteStartObject("itemStyle");
        w.WriteString("color", colour);
        w.WriteNumber("opacity", 0.6);
        w.WriteEndObject();
        w.WriteStartArray("data");
        foreach (var c in counts)
        {
            w.WriteNumberValue(c);
        }

        w.WriteEndArray();
        w.WriteStartObject("markLine");
        w.WriteString("symbol", "none");
        w.WriteBoolean("silent", true);
        w.WriteStartObject("lineStyle");
        w.WriteString("color", colour);
        w.WriteString("type", "dashed");
        w.WriteNumber("width", 2);
        w.WriteEndObject();
        w.WriteStartObject("label");
        w.WriteString("formatter", "{b}");
        w.WriteString("position", linePosition);
        w.WriteString("color", "#1d2733");
        w.WriteEndObject();
        w.WriteStartArray("data");
        foreach (var (label, bin) in lines)
        {
            w.WriteStartObject();
            w.WriteString("name", label);
            w.WriteNumber("xAxis", Math.Clamp(bin, 0, bins.Count - 1));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        if (areas.Count > 0)
        {
            w.WriteStartObject("markArea");
            w.WriteBoolean("silent", true);
            w.WriteStartObject("label");
            w.WriteString("position", "insideTopLeft");
            w.WriteString("color", "#1d2733");
            w.WriteEndObject();
            w.WriteStartArray("data");
            foreach (var (label, from, to, opacity) in areas)
            {
                w.WriteStartArray();
                w.WriteStartObject();
                w.WriteString("name", label);
                w.WriteNumber("xAxis", Math.Clamp(from, 0, bins.Count - 1));
                w.WriteStartObject("itemStyle");
                w.WriteString("color", colour);
                w.WriteNumber("opacity", opacity);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartObject();
                w.WriteNumber("xAxis", Math.Clamp(to, 0, bins.Count - 1));
                w.WriteEndObject();
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void Grid(Utf8JsonWriter w, int left, int right, int top, int bottom, bool containLabel = false)
    {
        w.WriteStartObject("grid");
        w.WriteNumber("left", left);
        w.WriteNumber("right", right);
        w.WriteNumber("top", top);
        w.WriteNumber("bottom", bottom);
        if (containLabel)
        {
            w.WriteBoolean("containLabel", true);
        }

        w.WriteEndObject();
    }

    // A category axis' labels: "data": [...] of strings.
    private static void Labels(Utf8JsonWriter w, IEnumerable<string> labels)
    {
        w.WriteStartArray("data");
        foreach (var label in labels)
        {
            w.WriteStringValue(label);
        }

        w.WriteEndArray();
    }

    // A shaded band from `low` to `low + width`: an invisible base line and a stacked area on top of it.
    private static void Band(Utf8JsonWriter w, string name, string stack, IReadOnlyList<decimal?> low, IReadOnlyList<decimal?> width, string colour, double opacity)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("type", "line");
        w.WriteString("stack", stack);
        w.WriteString("symbol", "none");
        w.WriteStartObject("lineStyle");
        w.WriteNumber("opacity", 0);
        w.WriteEndObject();
        w.WriteStartObject("tooltip");
        w.WriteBoolean("show", false);
        w.WriteEndObject();
        Values(w, low);
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("type", "line");
        w.WriteString("stack", stack);
        w.WriteString("symbol", "none");
        w.WriteStartObject("lineStyle");
        w.WriteNumber("opacity", 0);
        w.WriteEndObject();
        w.WriteStartObject("tooltip");
        w.WriteBoolean("show", false);
        w.WriteEndObject();
        w.WriteStartObject("areaStyle");
        w.WriteString("color", colour);
        w.WriteNumber("opacity", opacity);
        w.WriteEndObject();
        w.WriteStartObject("itemStyle");
        w.WriteString("color", colour);
        w.WriteEndObject();
        Values(w, width);
        w.WriteEndObject();
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

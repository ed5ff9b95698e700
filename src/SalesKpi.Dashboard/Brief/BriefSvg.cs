using System.Globalization;
using System.Net;
using System.Text;

namespace SalesKpi.Dashboard.Brief;

/// <summary>
/// The brief's charts as inline SVG written here, so the document needs no script, library or font file and prints
/// exactly as drawn. Coordinates are invariant numbers; every label arrives already formatted in the reader's culture.
/// </summary>
public static class BriefSvg
{
    private const string Ink = "#1d2733";
    private const string Muted = "#6b7785";
    private const string Value = "#1f5fbf";
    private const string TargetInk = "#b5412b";

    /// <summary>One bucket of a trend chart, already scaled to the axis unit (percent for ratios).</summary>
    /// <param name="Label">The bucket's label.</param>
    /// <param name="Value">The value; null is a gap.</param>
    /// <param name="Low">The interval's low end, when there is one.</param>
    /// <param name="High">The interval's high end, when there is one.</param>
    /// <param name="Target">The target of the bucket, when there is one.</param>
    /// <param name="BandLow">The low edge of the target's tolerance band.</param>
    /// <param name="BandHigh">The high edge of the target's tolerance band.</param>
    public sealed record TrendPoint(string Label, decimal? Value, decimal? Low, decimal? High, decimal? Target, decimal? BandLow, decimal? BandHigh);

    /// <summary>
    /// A KPI's trend: the value as a line with dots, its 95 % interval as a light band, the target as a dashed red
    /// line over its tolerance band; the axis shows the lowest and highest value drawn (<paramref name="format"/>).
    /// </summary>
    public static string Trend(IReadOnlyList<TrendPoint> points, Func<decimal, string> format, string title)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(format);
        const double w = 330, h = 150, left = 70, right = 8, top = 8, bottom = 22;
        var all = points.SelectMany(p => new[] { p.Value, p.Low, p.High, p.Target, p.BandLow, p.BandHigh }).OfType<decimal>().ToList();
        var sb = Open(w, h, title);
        if (points.Count == 0 || all.Count == 0)
        {
            return Close(sb);
        }

        var min = all.Min();
        var max = all.Max();
        if (min == max)
        {
            min -= Math.Max(1, Math.Abs(min) / 10);
            max += Math.Max(1, Math.Abs(max) / 10);
        }

        var span = (double)(max - min);
        double X(int i) => points.Count == 1 ? left + ((w - left - right) / 2) : left + (i * (w - left - right) / (points.Count - 1));
        double Y(decimal v) => top + ((h - top - bottom) * (1 - ((double)(v - min) / span)));

        // Axis: the frame of the plot and the two extreme values.
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left:0.#}\" y1=\"{h - bottom:0.#}\" x2=\"{w - right:0.#}\" y2=\"{h - bottom:0.#}\" stroke=\"{Muted}\" stroke-width=\"0.6\"/>");
        Text(sb, left - 4, Y(max) + 4, format(max), "end", Muted, 9);
        Text(sb, left - 4, Y(min), format(min), "end", Muted, 9);
        Text(sb, X(0), h - 6, points[0].Label, points.Count == 1 ? "middle" : "start", Muted, 9);
        if (points.Count > 1)
        {
            Text(sb, X(points.Count - 1), h - 6, points[^1].Label, "end", Muted, 9);
        }

        Band(sb, points, X, Y, p => p.Low, p => p.High, Value, 0.14);
        Band(sb, points, X, Y, p => p.BandLow, p => p.BandHigh, TargetInk, 0.12);
        Line(sb, points, X, Y, p => p.Target, TargetInk, "4 3", 1.4);
        Line(sb, points, X, Y, p => p.Value, Value, null, 2);
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].Value is { } v)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(i):0.#}\" cy=\"{Y(v):0.#}\" r=\"2.4\" fill=\"{Value}\"/>");
            }
        }

        // The last value is written beside its dot: the number the reader looks for.
        if (points[^1].Value is { } last)
        {
            Text(sb, X(points.Count - 1) - 4, Math.Max(Y(last) - 6, top + 9), format(last), "end", Ink, 10, bold: true);
        }

        return Close(sb);
    }

    /// <summary>Horizontal bars, one per row, scaled to the largest absolute value; negative values grow left of the axis in red.</summary>
    public static string Bars(IReadOnlyList<(string Label, decimal Value, string Text)> rows, string title, string colour = Value)
    {
        ArgumentNullException.ThrowIfNull(rows);
        const double w = 640, row = 20, labelWidth = 200, textWidth = 150;
        var h = Math.Max(1, rows.Count) * row + 4;
        var sb = Open(w, h, title);
        var maxAbs = rows.Count == 0 ? 1 : Math.Max(rows.Max(r => Math.Abs(r.Value)), 0.0000001m);
        var hasNegative = rows.Any(r => r.Value < 0);
        var plot = w - labelWidth - textWidth;
        var zero = hasNegative ? labelWidth + (plot / 2) : labelWidth;
        var scale = hasNegative ? plot / 2 : plot;
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, value, text) = rows[i];
            var y = (i * row) + 3;
            var len = (double)(Math.Abs(value) / maxAbs) * scale;
            var x = value < 0 ? zero - len : zero;
            Text(sb, labelWidth - 6, y + 12, label, "end", Ink, 10);
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{Math.Max(len, 0.5):0.#}\" height=\"{row - 6:0.#}\" fill=\"{(value < 0 ? TargetInk : colour)}\"/>");
            Text(sb, labelWidth + plot + 6, y + 12, text, "start", Ink, 10);
        }

        if (hasNegative)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{zero:0.#}\" y1=\"0\" x2=\"{zero:0.#}\" y2=\"{h:0.#}\" stroke=\"{Muted}\" stroke-width=\"0.6\"/>");
        }

        return Close(sb);
    }

    private static void Band(StringBuilder sb, IReadOnlyList<TrendPoint> points, Func<int, double> x, Func<decimal, double> y, Func<TrendPoint, decimal?> low, Func<TrendPoint, decimal?> high, string colour, double opacity)
    {
        // One polygon per run of consecutive buckets that have the band.
        var run = new List<int>();
        for (var i = 0; i <= points.Count; i++)
        {
            if (i < points.Count && low(points[i]) is not null && high(points[i]) is not null)
            {
                run.Add(i);
                continue;
            }

            if (run.Count > 0)
            {
                var upper = run.Select(j => Pt(x(j), y(high(points[j])!.Value)));
                var lower = run.AsEnumerable().Reverse().Select(j => Pt(x(j), y(low(points[j])!.Value)));
                if (run.Count == 1)
                {
                    // A single bucket's band is a short bar, so it is still visible.
                    var j = run[0];
                    sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x(j) - 5:0.#}\" y=\"{y(high(points[j])!.Value):0.#}\" width=\"10\" height=\"{Math.Max(0.5, y(low(points[j])!.Value) - y(high(points[j])!.Value)):0.#}\" fill=\"{colour}\" fill-opacity=\"{opacity:0.##}\"/>");
                }
                else
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<polygon points=\"{string.Join(' ', upper.Concat(lower))}\" fill=\"{colour}\" fill-opacity=\"{opacity:0.##}\"/>");
                }

                run.Clear();
            }
        }
    }

    private static void Line(StringBuilder sb, IReadOnlyList<TrendPoint> points, Func<int, double> x, Func<decimal, double> y, Func<TrendPoint, decimal?> value, string colour, string? dash, double width)
    {
        var run = new List<string>();
        for (var i = 0; i <= points.Count; i++)
        {
            if (i < points.Count && value(points[i]) is { } v)
            {
                run.Add(Pt(x(i), y(v)));
                continue;
            }

            if (run.Count == 1 && dash is not null)
            {
                // A target of one bucket: a short dash at its level.
                var parts = run[0].Split(',');
                var cx = double.Parse(parts[0], CultureInfo.InvariantCulture);
                sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{cx - 8:0.#}\" y1=\"{parts[1]}\" x2=\"{cx + 8:0.#}\" y2=\"{parts[1]}\" stroke=\"{colour}\" stroke-width=\"{width:0.#}\"/>");
            }
            else if (run.Count > 1)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{string.Join(' ', run)}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width:0.#}\"{(dash is null ? string.Empty : " stroke-dasharray=\"" + dash + "\"")}/>");
            }

            run.Clear();
        }
    }

    private static string Pt(double x, double y) => string.Create(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#}");

    private static void Text(StringBuilder sb, double x, double y, string text, string anchor, string colour, int size, bool bold = false) =>
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{y:0.#}\" text-anchor=\"{anchor}\" fill=\"{colour}\" font-size=\"{size}\"{(bold ? " font-weight=\"bold\"" : string.Empty)}>{WebUtility.HtmlEncode(text)}</text>");

    private static StringBuilder Open(double w, double h, string title) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {w:0.#} {h:0.#}\" width=\"{w:0.#}\" height=\"{h:0.#}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(title)}\"><title>{WebUtility.HtmlEncode(title)}</title>");

    private static string Close(StringBuilder sb) => sb.Append("</svg>").ToString();
}

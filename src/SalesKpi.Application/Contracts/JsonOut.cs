using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SalesKpi.Core;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Application.Contracts;

/// <summary>
/// The one way every command writes machine-readable JSON: indented, UTF-8 with Cyrillic left readable,
/// numbers rounded to at most 10 decimals without trailing zeros.
/// </summary>
public static class JsonOut
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Runs <paramref name="body"/> against a fresh writer and returns the document it wrote.</summary>
    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            body(w);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Writes <paramref name="value"/> as a number; a missing value is written as <c>null</c>, or left out
    /// entirely when <paramref name="omitWhenNull"/> is set.
    /// </summary>
    public static void Number(Utf8JsonWriter w, string name, decimal? value, bool omitWhenNull = false)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Round(v));
        }
        else if (!omitWhenNull)
        {
            w.WriteNull(name);
        }
    }

    /// <summary>
    /// Writes a probability, p-value or other double rounded to <paramref name="digits"/> decimals; a missing or
    /// non-finite value is written as <c>null</c>.
    /// </summary>
    public static void Number(Utf8JsonWriter w, string name, double? value, int digits)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>
    /// Writes <paramref name="message"/> rendered in <paramref name="language"/> under <paramref name="name"/> and its
    /// code under <paramref name="name"/><c>_code</c> (what a client may switch on); a missing message is written as
    /// two <c>null</c>s, or left out when <paramref name="omitWhenNull"/> is set.
    /// </summary>
    public static void Message(Utf8JsonWriter w, string name, Msg? message, Language language, bool omitWhenNull = false)
    {
        if (message is not null)
        {
            w.WriteString(name, message.Render(language));
            w.WriteString(name + "_code", message.Code);
        }
        else if (!omitWhenNull)
        {
            w.WriteNull(name);
            w.WriteNull(name + "_code");
        }
    }

    /// <summary>
    /// Writes <paramref name="messages"/> rendered in <paramref name="language"/> as the string array <c>notes</c>,
    /// followed by their codes, in the same order, as <c>note_codes</c>.
    /// </summary>
    public static void Notes(Utf8JsonWriter w, IEnumerable<Msg> messages, Language language)
    {
        var list = messages.ToList();
        w.WriteStartArray("notes");
        list.ForEach(m => w.WriteStringValue(m.Render(language)));
        w.WriteEndArray();
        w.WriteStartArray("note_codes");
        list.ForEach(m => w.WriteStringValue(m.Code));
        w.WriteEndArray();
    }

    /// <summary>
    /// <paramref name="v"/> as machine output carries it (JSON and CSV): at most 10 decimals, without trailing
    /// zeros — exact for counts and money, plenty for ratios and durations.
    /// </summary>
    public static decimal Round(decimal v) =>
        decimal.Parse(decimal.Round(v, 10).ToString("0.##########", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="slice"/> as the object <c>slice</c> (dimension → value; empty for the total).</summary>
    public static void Slice(Utf8JsonWriter w, IEnumerable<KeyValuePair<string, string>> slice)
    {
        w.WriteStartObject("slice");
        foreach (var (k, v) in slice)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// Writes the figures of one KPI value: <c>value</c>, <c>n</c>, <c>numerator</c> and <c>denominator</c> (left out
    /// when null), <c>ci95</c> (when there is one), <c>details</c>, <c>flags</c> and <c>reason</c> with its code
    /// (left out when the value is defined). Empty <c>details</c> and <c>flags</c> are left out unless
    /// <paramref name="emptyCollections"/> asks for them.
    /// </summary>
    public static void Result(Utf8JsonWriter w, KpiResult r, Language language, bool emptyCollections = false)
    {
        Number(w, "value", r.Value);
        w.WriteNumber("n", r.N);
        Number(w, "numerator", r.Numerator, omitWhenNull: true);
        Number(w, "denominator", r.Denominator, omitWhenNull: true);
        if (r.Ci95 is { } ci)
        {
            w.WriteStartArray("ci95");
            w.WriteNumberValue(Round(ci.Low));
            w.WriteNumberValue(Round(ci.High));
            w.WriteEndArray();
        }

        if (emptyCollections || r.Details.Count > 0)
        {
            w.WriteStartObject("details");
            foreach (var (k, v) in r.Details)
            {
                Number(w, k, v);
            }

            w.WriteEndObject();
        }

        if (emptyCollections || r.Flags.Length > 0)
        {
            w.WriteStartArray("flags");
            foreach (var f in r.Flags)
            {
                w.WriteStringValue(f);
            }

            w.WriteEndArray();
        }

        Message(w, "reason", r.Reason, language, omitWhenNull: true);
    }
}

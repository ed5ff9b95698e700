using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SalesKpi.Core;

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
}

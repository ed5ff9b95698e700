using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SalesKpi.Core;

/// <summary>
/// A user-facing message as data: a stable <see cref="Code"/> (lower snake case, e.g. <c>no_leads_created</c>),
/// its English and Russian templates and its arguments. Layers below the hosts return messages, never text; a
/// host renders one with <see cref="Render(Language)"/> in its caller's language, so two callers in different
/// languages can share one result, and a stored message (a snapshot note) renders in whoever reads it later.
/// </summary>
/// <remarks>
/// Templates use <see cref="string.Format(IFormatProvider, string, object[])"/> placeholders and are formatted
/// with the language's display culture (<see cref="Languages.DisplayCulture"/>). An argument is a string, a
/// number, a <see cref="DateOnly"/>, or another <see cref="Msg"/> (rendered in the same language first: use one
/// for words that differ by language, such as a KPI's name). A null argument renders as an empty string.
/// Equality compares code, templates and arguments.
/// </remarks>
public sealed class Msg : IEquatable<Msg>
{
    private Msg(string code, string en, string ru, ImmutableArray<object?> args)
    {
        Code = code;
        En = en;
        Ru = ru;
        Args = args;
    }

    /// <summary>The stable code: the same for every language and release; what an API client may switch on.</summary>
    public string Code { get; }

    /// <summary>The English template.</summary>
    public string En { get; }

    /// <summary>The Russian template.</summary>
    public string Ru { get; }

    /// <summary>The arguments, in placeholder order.</summary>
    public ImmutableArray<object?> Args { get; }

    /// <summary>
    /// Creates a message. <paramref name="code"/> must be non-empty lower snake case (dots allowed for a
    /// namespace, e.g. <c>kpi.win_rate</c>); an argument of an unsupported type throws
    /// <see cref="ArgumentException"/> at once, so a message that could not be stored is never made.
    /// </summary>
    public static Msg Of(string code, string en, string ru, params object?[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentNullException.ThrowIfNull(en);
        ArgumentNullException.ThrowIfNull(ru);
        foreach (var a in args)
        {
            if (a is not (null or string or int or long or decimal or double or DateOnly or Msg))
            {
                throw new ArgumentException($"Message '{code}': argument of type {a.GetType().Name} is not supported.", nameof(args));
            }
        }

        return new Msg(code, en, ru, [.. args]);
    }

    /// <summary>A message without arguments whose text is the same in both languages (a name, an identifier).</summary>
    public static Msg Verbatim(string text) => new("verbatim", text, text, []);

    /// <summary>
    /// Several messages as one (code <c>list</c>): each rendered in the reader's language, joined by
    /// <paramref name="separator"/> and preceded by <paramref name="prefix"/> (both the same in every language,
    /// without braces). Stored and rendered like any other message.
    /// </summary>
    public static Msg Join(string separator, IEnumerable<Msg> parts, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(separator);
        ArgumentNullException.ThrowIfNull(prefix);
        if (separator.AsSpan().IndexOfAny('{', '}') >= 0 || prefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("A separator or prefix with braces would be read as a placeholder.", nameof(separator));
        }

        var args = parts.Cast<object?>().ToArray();
        var template = prefix + string.Join(separator, Enumerable.Range(0, args.Length).Select(i => "{" + i.ToString(CultureInfo.InvariantCulture) + "}"));
        return new Msg("list", template, template, [.. args]);
    }

    /// <summary>The template of <paramref name="language"/>.</summary>
    public string Template(Language language) => language == Language.Ru ? Ru : En;

    /// <summary>The text in <paramref name="language"/>, numbers formatted with its display culture.</summary>
    public string Render(Language language)
    {
        if (Args.IsEmpty)
        {
            return Template(language);
        }

        var culture = Languages.DisplayCulture(language);
        var args = Args.Select(a => a is Msg m ? m.Render(language) : a).ToArray();
        return string.Format(culture, Template(language), args);
    }

    /// <summary>The English text; hosts render with <see cref="Render(Language)"/> instead.</summary>
    public override string ToString() => Render(Language.En);

    /// <summary>
    /// The message as language-neutral JSON: <c>{"code", "en", "ru", "args"}</c>, numbers as JSON numbers,
    /// dates as <c>yyyy-MM-dd</c> strings tagged <c>{"date": …}</c>, nested messages as objects.
    /// </summary>
    public JsonObject ToJson()
    {
        var args = new JsonArray();
        foreach (var a in Args)
        {
            args.Add(a switch
            {
                null => null,
                string s => JsonValue.Create(s),
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                decimal m => JsonValue.Create(m),
                double d => JsonValue.Create(d),
                DateOnly d => new JsonObject { ["date"] = d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
                Msg m => m.ToJson(),
                _ => throw new InvalidOperationException("unreachable: arguments are checked in Of"),
            });
        }

        return new JsonObject { ["code"] = Code, ["en"] = En, ["ru"] = Ru, ["args"] = args };
    }

    /// <summary>
    /// Reads what <see cref="ToJson"/> wrote. Numbers come back as <see cref="decimal"/> when they are whole
    /// or fit one exactly, else as <see cref="double"/>; formatting them gives the same text.
    /// </summary>
    /// <exception cref="FormatException">The JSON is not a message.</exception>
    public static Msg FromJson(JsonNode node)
    {
        if (node is not JsonObject o || o["code"] is not JsonValue code || o["en"] is not JsonValue en || o["ru"] is not JsonValue ru)
        {
            throw new FormatException("not a stored message: code, en and ru are required");
        }

        var args = new List<object?>();
        if (o["args"] is JsonArray array)
        {
            foreach (var a in array)
            {
                args.Add(a switch
                {
                    null => null,
                    JsonObject d when d["date"] is JsonValue v => DateOnly.ParseExact(v.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                    JsonObject m => FromJson(m),
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                    JsonValue v when v.TryGetValue<decimal>(out var dec) => dec,
                    JsonValue v => v.GetValue<double>(),
                    _ => throw new FormatException("not a stored message argument"),
                });
            }
        }

        return new Msg(code.GetValue<string>(), en.GetValue<string>(), ru.GetValue<string>(), [.. args]);
    }

    /// <inheritdoc/>
    public bool Equals(Msg? other) =>
        other is not null && Code == other.Code && En == other.En && Ru == other.Ru && Args.SequenceEqual(other.Args);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Msg);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Code, En, Ru, Args.Length);
}

/// <summary>Language helpers that need no ambient state: parsing a language code and the display culture.</summary>
public static class Languages
{
    /// <summary>The culture numbers and dates are shown in: ru-RU for Russian, en-US for English.</summary>
    public static CultureInfo DisplayCulture(Language language) =>
        language == Language.Ru ? CultureInfo.GetCultureInfo("ru-RU") : CultureInfo.GetCultureInfo("en-US");

    /// <summary>
    /// Parses a language code (<c>en</c>, <c>ru</c>, or a culture name such as <c>ru-RU</c>);
    /// null when the code names neither language.
    /// </summary>
    public static Language? Parse(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        var c = code.Trim().ToUpperInvariant();
        return c.StartsWith("RU", StringComparison.Ordinal) ? Language.Ru
            : c.StartsWith("EN", StringComparison.Ordinal) ? Language.En
            : null;
    }
}

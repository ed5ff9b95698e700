using System.Globalization;

namespace SalesKpi.Core;

/// <summary>
/// The language of user-facing text. Every message the product shows exists in English and Russian;
/// callers pass both and <see cref="Loc"/> picks one.
/// </summary>
public enum Language
{
    /// <summary>English.</summary>
    En,

    /// <summary>Russian.</summary>
    Ru,
}

/// <summary>
/// Chooses between the English and Russian form of a message. The language is process-wide,
/// chosen once at start-up (from <c>--lang</c>, <c>SALESKPI_LANG</c> or the UI culture), so every
/// layer can produce user-facing text without threading a parameter through.
/// </summary>
public static class Loc
{
    /// <summary>The current language; English until set.</summary>
    public static Language Current { get; set; } = Language.En;

    /// <summary>
    /// The culture used to format numbers and dates for display: ru-RU for Russian, en-US for English.
    /// Data files are always parsed and written with the invariant culture instead.
    /// </summary>
    public static CultureInfo DisplayCulture =>
        Current == Language.Ru ? CultureInfo.GetCultureInfo("ru-RU") : CultureInfo.GetCultureInfo("en-US");

    /// <summary>Returns <paramref name="en"/> or <paramref name="ru"/> for the current language.</summary>
    public static string T(string en, string ru) => Current == Language.Ru ? ru : en;

    /// <summary>
    /// Formats the message of the current language with <see cref="DisplayCulture"/>;
    /// placeholders follow <see cref="string.Format(IFormatProvider, string, object[])"/>.
    /// </summary>
    public static string F(string en, string ru, params object?[] args) =>
        string.Format(DisplayCulture, T(en, ru), args);

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
        if (c.StartsWith("RU", StringComparison.Ordinal))
        {
            return Language.Ru;
        }

        if (c.StartsWith("EN", StringComparison.Ordinal))
        {
            return Language.En;
        }

        return null;
    }
}

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
/// Chooses between the English and Russian form of a message. The language is per call: a service
/// enters <see cref="Use"/> with the caller's language, and everything below it on the same logical call
/// (including awaited and parallel work it starts) reads that language, while a concurrent call in another
/// language reads its own. Outside any scope the process default applies (the CLI sets it once at start-up).
/// </summary>
public static class Loc
{
    private static readonly AsyncLocal<Language?> Scoped = new();
    private static Language processDefault = Language.En;

    /// <summary>
    /// The language of the current call: the innermost <see cref="Use"/> scope's, else the process default.
    /// Setting it changes the process default (what a host chooses at start-up), not an open scope.
    /// </summary>
    public static Language Current
    {
        get => Scoped.Value ?? processDefault;
        set => processDefault = value;
    }

    /// <summary>
    /// Makes <paramref name="language"/> the language of the current logical call until the returned scope is
    /// disposed; the previous language applies again afterwards. Other concurrent calls are not affected.
    /// </summary>
    public static IDisposable Use(Language language)
    {
        var previous = Scoped.Value;
        Scoped.Value = language;
        return new Scope(previous);
    }

    private sealed class Scope(Language? previous) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (!disposed)
            {
                disposed = true;
                Scoped.Value = previous;
            }
        }
    }

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

using System.Globalization;

using SalesKpi.Core;

namespace SalesKpi.Cli;


/// <summary>
/// The CLI host's language: chooses between the English and Russian form of the text the CLI itself prints
/// and renders the <see cref="Msg"/> values the application returns. A run enters <see cref="Use"/> with its
/// language, and everything on the same logical call reads it, while a concurrent in-process run in another
/// language reads its own. It lives in the host on purpose: nothing below the hosts can read an ambient
/// language, because it cannot see this class.
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

/// <summary>The names of catalogue items in the run's language, for the CLI's own tables and messages.</summary>
internal static class LocNames
{
    extension(SalesKpi.Core.Kpis.KpiDef kpi)
    {
        /// <summary>The KPI's name in the run's language (<see cref="Loc.Current"/>).</summary>
        public string Name => kpi.NameIn(Loc.Current);
    }
}

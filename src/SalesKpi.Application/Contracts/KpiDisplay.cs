using SalesKpi.Core;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Application.Contracts;

/// <summary>
/// KPI values formatted for people in a given language: the language's display culture
/// (<see cref="Languages.DisplayCulture"/>) and its unit words. Null values are shown as "—". Data files never use
/// these forms; they write invariant numbers.
/// </summary>
public static class KpiDisplay
{
    /// <summary>The sign shown for a value that is undefined.</summary>
    public const string None = "—";

    /// <summary>A value formatted by its unit (counts whole, money with two decimals and the currency, ratios as percentages with one decimal); "—" for null.</summary>
    public static string Value(KpiDef kpi, decimal? value, string currency, Language language)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        if (value is not { } v)
        {
            return None;
        }

        var c = Languages.DisplayCulture(language);
        var ru = language == Language.Ru;
        return kpi.Unit switch
        {
            KpiUnit.Count => v.ToString("N0", c),
            KpiUnit.Money => v.ToString("N2", c) + " " + currency,
            KpiUnit.MoneyPerDay => v.ToString("N2", c) + " " + currency + (ru ? "/день" : "/day"),
            KpiUnit.Score => v.ToString("N1", c),
            KpiUnit.Ratio => Percent(v, language),
            KpiUnit.Hours => v.ToString("N2", c) + (ru ? " ч" : " h"),
            KpiUnit.Days => v.ToString("N1", c) + (ru ? " дн." : " d"),
            KpiUnit.CountPerDeal => v.ToString("N2", c),
            KpiUnit.Nps => v.ToString("+0.0;-0.0;0.0", c),
            KpiUnit.Multiple => v.ToString("N2", c) + "×",
            _ => v.ToString(c),
        };
    }

    /// <summary>
    /// A value as short as it stays readable on a tile or an axis: like <see cref="Value"/>, but money of 100 or
    /// more in whole units (644,510 RUB rather than 644,509.80 RUB); "—" for null.
    /// </summary>
    public static string Short(KpiDef kpi, decimal? value, string currency, Language language)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        if (value is { } v && Math.Abs(v) >= 100 && kpi.Unit is KpiUnit.Money or KpiUnit.MoneyPerDay)
        {
            var c = Languages.DisplayCulture(language);
            return Math.Round(v, 0, MidpointRounding.AwayFromZero).ToString("N0", c) + " " + currency
                + (kpi.Unit == KpiUnit.MoneyPerDay ? (language == Language.Ru ? "/день" : "/day") : string.Empty);
        }

        return Value(kpi, value, currency, language);
    }

    /// <summary>
    /// A plain number: the display culture's digit grouping and at most four decimals, trailing zeros of the
    /// fraction dropped — never digits of the integer part (228, 790, 0.5, 1,234.5679).
    /// </summary>
    public static string Number(decimal d, Language language) => d.ToString("#,##0.####", Languages.DisplayCulture(language));

    /// <summary>A fraction as a percentage with one decimal (0.125 → "12.5 %").</summary>
    public static string Percent(decimal fraction, Language language) =>
        (fraction * 100).ToString("N1", Languages.DisplayCulture(language)) + " %";

    /// <summary>
    /// The change from <paramref name="before"/> to <paramref name="after"/> as text: percentage points for
    /// ratios, points for NPS, percent of the baseline otherwise; null when either side is undefined or a percent
    /// change of a zero baseline is asked for.
    /// </summary>
    public static string? Change(KpiDef kpi, decimal? before, decimal? after, Language language)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        if (before is not { } b || after is not { } a)
        {
            return null;
        }

        var c = Languages.DisplayCulture(language);
        var delta = a - b;
        return kpi.Unit switch
        {
            KpiUnit.Ratio => (delta * 100).ToString("+0.0;-0.0;0.0", c) + (language == Language.Ru ? " п.п." : " pp"),
            KpiUnit.Nps => delta.ToString("+0.0;-0.0;0.0", c),
            _ when b != 0 => (delta / Math.Abs(b) * 100).ToString("+0.0;-0.0;0.0", c) + " %",
            _ => null,
        };
    }

    /// <summary>Whether a change from <paramref name="before"/> to <paramref name="after"/> is good given the KPI's direction; null when it has none, is zero or a side is undefined.</summary>
    public static bool? Better(KpiDef kpi, decimal? before, decimal? after)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        if (before is not { } b || after is not { } a || a == b)
        {
            return null;
        }

        return kpi.Direction switch
        {
            KpiDirection.Higher => a > b,
            KpiDirection.Lower => a < b,
            _ => null,
        };
    }
}

using System.Globalization;
using SalesKpi.Core;

namespace SalesKpi.Import;

/// <summary>
/// Turns the text of one cell into a typed <see cref="Cell"/> for a column of the contract, or into
/// the reason it is rejected. Text is trimmed; an empty cell is a missing value.
/// </summary>
internal sealed class CellParser
{
    // Money is stored as DECIMAL(18,4): 14 digits before the point and 4 after.
    private const int MoneyIntegerDigits = 14;

    // Numbers (quality score, duration) are stored as DOUBLE, exact to 15 significant digits: with at
    // most 4 decimals, as for money, that leaves 11 before the point. Anything finer is refused, not rounded.
    private const int NumberIntegerDigits = 11;

    private readonly TimeZoneInfo zone;

    // Source columns such as channel or owner repeat a handful of values millions of times;
    // reusing the previous string per column saves most allocations of a large import.
    private readonly string?[] lastText;

    public CellParser(TimeZoneInfo zone, int columns)
    {
        this.zone = zone;
        lastText = new string?[columns];
    }

    /// <summary>Parses <paramref name="raw"/> for <paramref name="column"/>; returns null when valid, else the reason (only a rejected cell allocates one).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public Msg? Parse(ReadOnlySpan<char> raw, ColumnDef column, int slot, ref Cell cell)
    {
        var s = raw.Trim();
        cell.HasValue = !s.IsEmpty;
        if (s.IsEmpty)
        {
            return column.Required
                ? Msg.Of("cell.required_empty", "{0} is required but empty", "{0}: обязательное значение не заполнено", column.Name)
                : null;
        }

        switch (column.Type)
        {
            case ColumnType.Text:
                var last = lastText[slot];
                cell.Text = last is not null && s.SequenceEqual(last) ? last : (lastText[slot] = s.ToString());
                return null;

            case ColumnType.Enum:
                foreach (var v in column.EnumValues)
                {
                    if (s.Equals(v, StringComparison.OrdinalIgnoreCase))
                    {
                        cell.Text = v;
                        return null;
                    }
                }

                return Msg.Of("cell.not_enum", "{0} '{1}' is not one of: {2}", "{0}: «{1}» — не одно из значений: {2}", column.Name, Clip(s), string.Join(", ", column.EnumValues));

            case ColumnType.Currency:
                if (s.Length == 3 && char.IsAsciiLetter(s[0]) && char.IsAsciiLetter(s[1]) && char.IsAsciiLetter(s[2]))
                {
                    cell.Text = s.ToString().ToUpperInvariant();
                    return null;
                }

                return Msg.Of("cell.not_currency", "{0} '{1}' is not a three-letter ISO 4217 currency code", "{0}: «{1}» — не трёхбуквенный код валюты ISO 4217", column.Name, Clip(s));

            case ColumnType.Timestamp:
                var ts = ValueParser.TryParseTimestamp(s, zone, out var time);
                cell.Time = time;
                return ts switch
                {
                    ValueParser.Outcome.Ok => null,
                    ValueParser.Outcome.OutOfRange => Msg.Of("cell.timestamp_out_of_range", "{0} '{1}' is not a real date and time (or its year is outside 1900–2200)", "{0}: «{1}» — несуществующие дата и время (или год вне 1900–2200)", column.Name, Clip(s)),
                    _ => Msg.Of("cell.not_timestamp", "{0} '{1}' is not a timestamp: use YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS], optionally with Z or +03:00", "{0}: «{1}» — не метка времени: используйте ГГГГ-ММ-ДД или ГГГГ-ММ-ДД ЧЧ:ММ[:СС], можно с Z или +03:00", column.Name, Clip(s)),
                };

            case ColumnType.Date:
                var ds = ValueParser.TryParseDate(s, out var date);
                cell.Date = date;
                return ds switch
                {
                    ValueParser.Outcome.Ok => null,
                    ValueParser.Outcome.OutOfRange => Msg.Of("cell.date_out_of_range", "{0} '{1}' is not a real date (or its year is outside 1900–2200)", "{0}: «{1}» — несуществующая дата (или год вне 1900–2200)", column.Name, Clip(s)),
                    _ => Msg.Of("cell.not_date", "{0} '{1}' is not a date: use YYYY-MM-DD", "{0}: «{1}» — не дата: используйте ГГГГ-ММ-ДД", column.Name, Clip(s)),
                };

            case ColumnType.Integer:
                if (!ValueParser.TryParseInteger(s, out cell.Bits))
                {
                    return Msg.Of("cell.not_integer", "{0} '{1}' is not a whole number", "{0}: «{1}» — не целое число", column.Name, Clip(s));
                }

                return CheckRange(column, cell.Bits, s);

            case ColumnType.Number:
                var ns = ValueParser.TryParseDecimal(s, NumberIntegerDigits, EntityCatalog.MoneyScale, out var n);
                if (ns == ValueParser.Outcome.Unparsable)
                {
                    return Msg.Of("cell.not_number", "{0} '{1}' is not a number: use digits with '.' as the decimal separator", "{0}: «{1}» — не число: используйте цифры и точку как десятичный разделитель", column.Name, Clip(s));
                }

                if (ns == ValueParser.Outcome.OutOfRange)
                {
                    return Msg.Of("cell.number_too_precise", "{0} '{1}' has more digits than are kept: at most 11 digits before and 4 after the decimal point (round it yourself)", "{0}: «{1}» — больше цифр, чем хранится: не более 11 цифр до и 4 после десятичной точки (округлите значение сами)", column.Name, Clip(s));
                }

                cell.Number = (double)n;
                return CheckRange(column, n, s);

            case ColumnType.Money:
                var ms = ValueParser.TryParseDecimal(s, MoneyIntegerDigits, EntityCatalog.MoneyScale, out var money);
                if (ms == ValueParser.Outcome.Unparsable)
                {
                    return Msg.Of("cell.not_amount", "{0} '{1}' is not an amount: use digits with '.' as the decimal separator and no thousands separators", "{0}: «{1}» — не сумма: используйте цифры, точку как десятичный разделитель и без разделителей тысяч", column.Name, Clip(s));
                }

                if (ms == ValueParser.Outcome.OutOfRange)
                {
                    return Msg.Of("cell.amount_out_of_range", "{0} '{1}' is out of range: at most 14 digits before and 4 after the decimal point (round it yourself)", "{0}: «{1}» вне допустимого диапазона: не более 14 цифр до и 4 после десятичной точки (округлите значение сами)", column.Name, Clip(s));
                }

                cell.Money = money;
                return CheckRange(column, money, s);

            default:
                throw new ArgumentOutOfRangeException(nameof(column), column.Type, null);
        }
    }

    private static Msg? CheckRange(ColumnDef column, decimal value, ReadOnlySpan<char> s)
    {
        if (column.Min is { } min && value < min)
        {
            return Msg.Of("cell.below_minimum", "{0} '{1}' is below the minimum {2}", "{0}: «{1}» меньше минимума {2}", column.Name, Clip(s), min.ToString(CultureInfo.InvariantCulture));
        }

        if (column.Max is { } max && value > max)
        {
            return Msg.Of("cell.above_maximum", "{0} '{1}' is above the maximum {2}", "{0}: «{1}» больше максимума {2}", column.Name, Clip(s), max.ToString(CultureInfo.InvariantCulture));
        }

        return null;
    }

    private static string Clip(ReadOnlySpan<char> s) => s.Length <= 60 ? s.ToString() : string.Concat(s[..57], "...");
}

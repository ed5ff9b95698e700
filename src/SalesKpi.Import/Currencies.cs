using System.Text.RegularExpressions;

namespace SalesKpi.Import;

/// <summary>
/// Currency names and signs as CRMs export them (Bitrix24 writes «Рубль», «Доллар США»; amoCRM puts ₽ or ₸ beside an
/// amount; Salesforce reports write <c>$12,500.00</c>) brought to ISO 4217 codes, and stripped from amounts.
/// </summary>
internal static partial class Currencies
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["рубль"] = "RUB", ["российский рубль"] = "RUB", ["рубли"] = "RUB", ["руб"] = "RUB", ["руб."] = "RUB", ["р."] = "RUB", ["₽"] = "RUB", ["rub"] = "RUB", ["russian ruble"] = "RUB", ["ruble"] = "RUB", ["rouble"] = "RUB",
        ["доллар сша"] = "USD", ["доллар"] = "USD", ["доллары"] = "USD", ["$"] = "USD", ["us$"] = "USD", ["us dollar"] = "USD", ["u.s. dollar"] = "USD", ["dollar"] = "USD",
        ["евро"] = "EUR", ["€"] = "EUR", ["euro"] = "EUR",
        ["тенге"] = "KZT", ["казахстанский тенге"] = "KZT", ["₸"] = "KZT", ["tenge"] = "KZT",
        ["гривна"] = "UAH", ["украинская гривна"] = "UAH", ["₴"] = "UAH", ["hryvnia"] = "UAH",
        ["белорусский рубль"] = "BYN", ["бел. руб."] = "BYN",
        ["фунт стерлингов"] = "GBP", ["£"] = "GBP", ["pound sterling"] = "GBP", ["british pound"] = "GBP",
        ["юань"] = "CNY", ["китайский юань"] = "CNY", ["yuan"] = "CNY", ["¥"] = "CNY",
        ["сум"] = "UZS", ["узбекский сум"] = "UZS",
        ["лари"] = "GEL", ["₾"] = "GEL", ["драм"] = "AMD", ["֏"] = "AMD", ["сом"] = "KGS", ["манат"] = "AZN", ["₼"] = "AZN",
    };

    /// <summary>
    /// The ISO code of <paramref name="value"/>: a known name or sign (ru/en, case-insensitive) gives its code, anything
    /// else is returned trimmed as it is (a code passes; an unknown name is then rejected by the canonical check, with its text).
    /// </summary>
    public static string? Code(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        var v = value.Trim();
        return Names.TryGetValue(v, out var code) ? code : v;
    }

    /// <summary>
    /// <paramref name="amount"/> without a currency sign, code or short name before or after the number
    /// (<c>$12,500.00</c>, <c>12 500,00 ₽</c>, <c>RUB 1 000</c>, <c>1 000 руб.</c>), and without the parentheses of an
    /// accounting negative, which become a minus. Text that is not an amount with a currency stays as it is.
    /// </summary>
    public static string StripFromAmount(string amount)
    {
        var m = Affixed().Match(amount.Trim());
        if (!m.Success)
        {
            return amount;
        }

        var number = m.Groups["n"].Value;
        var negative = m.Groups["neg"].Success && m.Groups["neg"].Value.Length > 0;
        return negative && !number.StartsWith('-') ? "-" + number : number;
    }

    /// <summary>A header without a trailing currency sign or code in it (<c>Бюджет ₸</c> → <c>Бюджет</c>, <c>Amount (USD)</c> → <c>Amount</c>); empty when it has none.</summary>
    public static string HeaderWithoutCurrency(string header)
    {
        var m = HeaderCurrency().Match(header.Trim());
        return m.Success ? m.Groups["h"].Value.Trim() : string.Empty;
    }

    [GeneratedRegex(@"^(?<h>.+?)\s*[\(,]?\s*(?:[A-Z]{3}|[$€£₽₸₴¥₾֏₼]|руб\.?)\s*\)?$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex HeaderCurrency();

    [GeneratedRegex(@"^(?<neg>-)?\s*(?:[A-Z]{3}|US\$|[$€£₽₸₴¥₾֏₼])?\s*(?<n>-?[\d\s\u00A0\u202F.,]*\d)\s*(?:[A-Z]{3}|[$€£₽₸₴¥₾֏₼]|руб\.?|р\.)?$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Affixed();
}

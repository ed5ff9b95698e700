using System.Globalization;
using System.Text;
using SalesKpi.Core;

namespace SalesKpi.Dashboard;

/// <summary>
/// What every dashboard page knows about its request: the language, the path and query (the whole state of a
/// view lives in its URL, so any view is a link), and who is signed in. Texts are chosen with <see cref="T"/>;
/// numbers and dates are formatted in <see cref="Culture"/>.
/// </summary>
/// <param name="Language">The language of the page.</param>
/// <param name="Path">The page's path, e.g. <c>/funnel</c>.</param>
/// <param name="Query">The query parameters of the view (period, filters…); empty values are dropped.</param>
/// <param name="User">The signed-in user's name; null when nobody is signed in.</param>
/// <param name="Role">The signed-in user's role (rep, manager, head, admin); null when nobody is signed in.</param>
public sealed record PageFrame(Language Language, string Path, IReadOnlyDictionary<string, string> Query, string? User = null, string? Role = null)
{
    /// <summary>The antiforgery token the page's forms that change something (sign-in, sign-out) send back; empty when none.</summary>
    public string Csrf { get; init; } = string.Empty;

    /// <summary>The form field the antiforgery token travels in.</summary>
    public string CsrfField { get; init; } = "__RequestVerificationToken";

    /// <summary>The culture numbers and dates are shown in: ru-RU for Russian, en-US for English.</summary>
    public CultureInfo Culture => Languages.DisplayCulture(Language);

    /// <summary>The language code for the <c>lang</c> attribute.</summary>
    public string LanguageCode => Language == Language.Ru ? "ru" : "en";

    /// <summary>
    /// Whether the signed-in user's role is <paramref name="minimum"/> or above, in the order rep &lt; manager &lt;
    /// head &lt; admin; false when nobody is signed in or the role is unknown. Decides what a page offers; the server
    /// enforces it again on every request.
    /// </summary>
    public bool HasRole(string minimum)
    {
        string[] order = ["rep", "manager", "head", "admin"];
        var have = Role is null ? -1 : Array.IndexOf(order, Role);
        var need = Array.IndexOf(order, minimum);
        return have >= 0 && need >= 0 && have >= need;
    }

    /// <summary>The English or the Russian text, by the page's language.</summary>
    public string T(string en, string ru) => Language == Language.Ru ? ru : en;

    /// <summary>The value of query parameter <paramref name="name"/>; null when absent.</summary>
    public string? Get(string name) => Query.TryGetValue(name, out var v) ? v : null;

    /// <summary>
    /// A link to <paramref name="path"/> that keeps this view's query and language, with <paramref name="changes"/>
    /// applied (a null value removes the parameter).
    /// </summary>
    public string Link(string path, params (string Name, string? Value)[] changes)
    {
        var query = new SortedDictionary<string, string>(Query.ToDictionary(), StringComparer.Ordinal);
        foreach (var (name, value) in changes)
        {
            if (string.IsNullOrEmpty(value))
            {
                query.Remove(name);
            }
            else
            {
                query[name] = value;
            }
        }

        if (!query.ContainsKey("lang"))
        {
            query["lang"] = LanguageCode;
        }

        var sb = new StringBuilder(path);
        var first = true;
        foreach (var (name, value) in query)
        {
            sb.Append(first ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }

        return sb.ToString();
    }

    /// <summary>
    /// A link to another page that keeps only what every page shares — the period, the as-of and the language — with
    /// <paramref name="changes"/> applied: a page's own settings (a sort, a breakdown, levers) mean nothing elsewhere
    /// and could make the other page refuse the view.
    /// </summary>
    public string Go(string path, params (string Name, string? Value)[] changes)
    {
        var shared = Query.Where(q => q.Key is "period" or "as_of").ToDictionary(q => q.Key, q => q.Value, StringComparer.Ordinal);
        return (this with { Query = shared }).Link(path, changes);
    }

    /// <summary>A dimension's name for the reader (<c>owner</c> → "owner" / «ответственный»); an unknown one as it is.</summary>
    public string Dim(string? dimension) => DimensionName(dimension, Language);

    /// <summary>A dimension's name in <paramref name="language"/> (<c>owner</c> → "owner" / «ответственный»); an unknown one as it is, null as empty.</summary>
    public static string DimensionName(string? dimension, Language language)
    {
        string T(string en, string ru) => language == Language.Ru ? ru : en;
        return dimension switch
        {
            "owner" => T("owner", "ответственный"),
            "channel" => T("channel", "канал"),
            "segment" => T("segment", "сегмент"),
            "region" => T("region", "регион"),
            "service_line" => T("service line", "направление услуг"),
            "campaign" => T("campaign", "кампания"),
            "industry" => T("industry", "отрасль"),
            "company_size" => T("company size", "размер компании"),
            "job_title" => T("job title", "должность"),
            "need" => T("need", "потребность"),
            "stage" => T("stage", "этап"),
            _ => dimension ?? string.Empty,
        };
    }

    /// <summary>A role's name for the reader (the CLI's and API's names are English words: rep, manager, head, admin).</summary>
    public string RoleText(string? role) => role switch
    {
        "rep" => T("rep", "продавец"),
        "manager" => T("manager", "менеджер"),
        "head" => T("head", "руководитель"),
        "admin" => T("admin", "администратор"),
        _ => role ?? string.Empty,
    };

    /// <summary>This view in the other language.</summary>
    public string Switch(Language language) => Link(Path, ("lang", language == Language.Ru ? "ru" : "en"));
}

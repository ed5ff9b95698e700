using System.Net;
using System.Text.RegularExpressions;

namespace SalesKpi.Tests.Web;

/// <summary>A browser's session by hand: cookies kept in a jar between requests, and the antiforgery token read from a page's form.</summary>
internal static partial class FormSession
{
    /// <summary>The antiforgery token of the first form of <paramref name="html"/>; fails when the page has none.</summary>
    public static string Token(string html)
    {
        var token = TokenField().Match(html).Groups[1].Value;
        token.ShouldNotBeNullOrEmpty();
        return token;
    }

    /// <summary>Sends a request with the jar's cookies and a form's fields (when not null), and keeps the cookies the answer sets.</summary>
    public static Task<(HttpStatusCode Status, string Body, string? Location)> Send(HttpClient client, Dictionary<string, string> jar, HttpMethod method, string url, Dictionary<string, string>? form) =>
        SendContent(client, jar, method, url, form is null ? null : new FormUrlEncodedContent(form));

    /// <summary>Sends a request with the jar's cookies and <paramref name="content"/> (a multipart upload), and keeps the cookies the answer sets.</summary>
    public static async Task<(HttpStatusCode Status, string Body, string? Location)> SendContent(HttpClient client, Dictionary<string, string> jar, HttpMethod method, string url, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative)) { Content = content };
        if (jar.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", jar.Select(kv => kv.Key + "=" + kv.Value)));
        }

        using var response = await client.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            foreach (var cookie in cookies)
            {
                var pair = cookie.Split(';')[0];
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                jar[pair[..eq]] = pair[(eq + 1)..];
            }
        }

        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.OriginalString);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SalesKpi.Web;

/// <summary>
/// Documents an endpoint's request body in the OpenAPI document only. <c>Accepts(...)</c> would also make routing
/// refuse other content types with 415 before the sign-in gate runs, so an anonymous caller could learn more than
/// "sign in first"; the handlers check what they read themselves.
/// </summary>
internal static class ApiBodies
{
    /// <summary>Declares that the endpoint reads a body of one of <paramref name="contentTypes"/>.</summary>
    public static RouteHandlerBuilder Body(this RouteHandlerBuilder builder, params string[] contentTypes) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = contentTypes.ToDictionary(t => t, _ => new OpenApiMediaType(), StringComparer.Ordinal),
            };
            return Task.CompletedTask;
        });
}

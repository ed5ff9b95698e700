using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SalesKpi.Web;

/// <summary>
/// The roles of a SalesKpi server, in increasing power: each role may do everything the roles below it may.
/// A <see cref="Rep"/> sees only the data of their own CRM owner name; a <see cref="Manager"/> sees everything and
/// changes nothing; a <see cref="Head"/> also changes the KPI system, targets, parameters and imports; an
/// <see cref="Admin"/> also manages users and tokens.
/// </summary>
public enum ApiRole
{
    /// <summary>A sales rep: reads, scoped to their own leads and deals.</summary>
    Rep = 0,

    /// <summary>Reads everything, changes nothing.</summary>
    Manager = 1,

    /// <summary>Reads everything; changes the KPI system, targets, parameters, and imports data.</summary>
    Head = 2,

    /// <summary>Everything, including users and tokens.</summary>
    Admin = 3,
}

/// <summary>
/// Endpoint metadata: the least role that may call the endpoint. Every API endpoint carries one; an endpoint
/// without it is refused to everybody, so a forgotten declaration fails closed.
/// </summary>
/// <param name="Minimum">The least role allowed.</param>
public sealed record RequiresRole(ApiRole Minimum);

/// <summary>Declares who may call an endpoint.</summary>
public static class ApiRoleEndpoints
{
    /// <summary>Allows <paramref name="minimum"/> and every role above it to call the endpoint.</summary>
    public static TBuilder Allow<TBuilder>(this TBuilder builder, ApiRole minimum)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiresRole(minimum));
}

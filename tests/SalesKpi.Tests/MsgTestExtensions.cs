using System.Diagnostics.CodeAnalysis;
using SalesKpi.Core;

namespace SalesKpi.Tests;

/// <summary>Renders engine messages for assertions on their English text.</summary>
internal static class MsgTestExtensions
{
    /// <summary>The message in English; null for none.</summary>
    [return: NotNullIfNotNull(nameof(message))]
    public static string? En(this Msg? message) => message?.Render(Language.En);

    /// <summary>The message in Russian; null for none.</summary>
    [return: NotNullIfNotNull(nameof(message))]
    public static string? Ru(this Msg? message) => message?.Render(Language.Ru);
}

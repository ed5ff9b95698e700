namespace SalesKpi.Cli;

/// <summary>A switch of the environment: unset, empty, <c>on</c> or <c>off</c> in any case; anything else is refused at start.</summary>
internal static class OnOff
{
    /// <summary>True for unset, empty, <c>on</c> and <c>off</c>.</summary>
    public static bool IsValid(string? value) => string.IsNullOrEmpty(value) || IsOn(value) || IsOff(value);

    /// <summary>True only for <c>off</c>: unset means the default.</summary>
    public static bool IsOff(string? value) => string.Equals(value, "off", StringComparison.OrdinalIgnoreCase);

    private static bool IsOn(string value) => string.Equals(value, "on", StringComparison.OrdinalIgnoreCase);
}

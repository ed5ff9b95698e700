namespace SalesKpi.Core;

/// <summary>
/// An error the user can fix: its message is one complete sentence, in the current
/// <see cref="Loc"/> language, that says what is wrong and what to do. The CLI prints the message
/// alone (a stack trace only with <c>--verbose</c>).
/// </summary>
public class SalesKpiException : Exception
{
    /// <summary>Creates the error with its user-facing message.</summary>
    public SalesKpiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its user-facing message and the technical cause.</summary>
    public SalesKpiException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

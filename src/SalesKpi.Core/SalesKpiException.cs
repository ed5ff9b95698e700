namespace SalesKpi.Core;

/// <summary>
/// An error the user can fix: its <see cref="Text"/> is one complete sentence that says what is wrong and what
/// to do, as a <see cref="Msg"/> the host renders in its caller's language (<see cref="Render"/>).
/// <see cref="Exception.Message"/> holds the English text, for logs. The CLI prints the rendered text alone (a
/// stack trace only with <c>--verbose</c>).
/// </summary>
public class SalesKpiException : Exception
{
    /// <summary>Creates the error with its user-facing message.</summary>
    public SalesKpiException(Msg text)
        : base(text.Render(Language.En))
    {
        Text = text;
    }

    /// <summary>Creates the error with its user-facing message and the technical cause.</summary>
    public SalesKpiException(Msg text, Exception inner)
        : base(text.Render(Language.En), inner)
    {
        Text = text;
    }

    /// <summary>Creates the error from text already rendered (the same in every language).</summary>
    public SalesKpiException(string message)
        : base(message)
    {
        Text = Msg.Verbatim(message);
    }

    /// <summary>Creates the error from text already rendered, with the technical cause.</summary>
    public SalesKpiException(string message, Exception inner)
        : base(message, inner)
    {
        Text = Msg.Verbatim(message);
    }

    /// <summary>The message, language-neutral.</summary>
    public Msg Text { get; }

    /// <summary>The message in <paramref name="language"/>.</summary>
    public string Render(Language language) => Text.Render(language);
}

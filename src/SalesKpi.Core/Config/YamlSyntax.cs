using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace SalesKpi.Core.Config;

/// <summary>
/// Loads YAML text and turns any syntax error into one <c>KS100</c> issue at the place to fix, saying what
/// is wrong and how to fix it. YamlDotNet reports some errors at 1:1 (a tab in indentation) or without a
/// position at all (an unclosed flow mapping ends in <see cref="InvalidOperationException"/>), so the
/// position is recovered from the scanner and from the flow collections still open.
/// </summary>
internal static class YamlSyntax
{
    /// <summary>The loaded stream, or null with <paramref name="issue"/> set when the text is not valid YAML.</summary>
    public static YamlStream? Load(string text, string file, out ConfigIssue? issue)
    {
        var scanner = new Scanner(new StringReader(text));
        var parser = new TrackingParser(new Parser(scanner));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
            issue = null;
            return stream;
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException or ArgumentException)
        {
            issue = Describe(ex, text, file, scanner.CurrentPosition, parser.InnermostOpenFlow);
            return null;
        }
    }

    private static ConfigIssue Describe(Exception ex, string text, string file, Mark cursor, ParsingEvent? openFlow)
    {
        var lines = text.Split('\n');
        var yaml = ex as YamlException;
        var message = yaml?.Message ?? string.Empty;
        string? CharAt(Mark m) => m.Line >= 1 && m.Line <= lines.Length && m.Column >= 1 && m.Column <= lines[m.Line - 1].Length
            ? lines[m.Line - 1][(int)m.Column - 1].ToString()
            : null;
        ConfigIssue At(Mark m, string code, string en, string ru, params object[] args) =>
            new(file, Math.Max(1, (int)m.Line), Math.Max(1, (int)m.Column), "KS100", Msg.Of(code, en, ru, args));

        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            // The tab is on the line the scanner stopped at (End, or the cursor when the marks are empty).
            var line = (int)(yaml!.End.Index > 0 ? yaml.End.Line : cursor.Line);
            var column = line >= 1 && line <= lines.Length ? lines[line - 1].IndexOf('\t', StringComparison.Ordinal) + 1 : 0;
            return new(file, Math.Max(1, line), Math.Max(1, column), "KS100", Msg.Of(
                "yaml.tab_indent",
                "a tab is used for indentation: YAML indents with spaces only; replace the tab with spaces.",
                "для отступа использована табуляция: в YAML отступы делаются только пробелами; замените табуляцию пробелами."));
        }

        if (message.Contains("quoted scalar", StringComparison.OrdinalIgnoreCase))
        {
            var quote = CharAt(yaml!.Start) ?? "\"";
            return At(yaml.Start, "yaml.unclosed_quote", "the text in quotes starting here is not closed: add the closing {0} at the end of the value.", "текст в кавычках, начинающийся здесь, не закрыт: добавьте закрывающую {0} в конце значения.", quote);
        }

        if ((yaml is null || message.Contains("flow", StringComparison.OrdinalIgnoreCase))
            && (openFlow is not null ? ((Mark?)openFlow.Start, openFlow is MappingStart ? '{' : '[') : UnclosedFlow(text, (int)cursor.Index)) is ({ } start, var opener))
        {
            var (open, close) = opener == '{' ? ("{", "}") : ("[", "]");
            return At(start, "yaml.unclosed_flow", "this '{0}' is not closed: add the matching '{1}' at the end of the value (a {{ … }} mapping or [ … ] list is closed on the line it starts).", "эта «{0}» не закрыта: добавьте парную «{1}» в конце значения (словарь {{ … }} или список [ … ] закрывается в той же строке).", open, close);
        }

        if (yaml is null)
        {
            return At(cursor, "yaml.unreadable_line", "this line cannot be read as YAML: check its brackets, quotes and indentation.", "эта строка не читается как YAML: проверьте скобки, кавычки и отступы.");
        }

        if (CharAt(yaml.Start) is "}" or "]" && message.Contains("expected key", StringComparison.OrdinalIgnoreCase))
        {
            return At(yaml.Start, "yaml.stray_closer", "a '{0}' closes nothing here: remove it.", "«{0}» здесь ничего не закрывает: удалите её.", CharAt(yaml.Start)!);
        }

        if (message.StartsWith("Duplicate key", StringComparison.Ordinal))
        {
            return At(yaml.Start, "yaml.duplicate_key", "this key appears twice in the same mapping: keep one.", "этот ключ повторяется в одном словаре: оставьте один.");
        }

        if (message.Contains("expected key", StringComparison.OrdinalIgnoreCase)
            || message.Contains("invalid mapping", StringComparison.OrdinalIgnoreCase)
            || message.Contains("indentation", StringComparison.OrdinalIgnoreCase)
            || message.Contains("expected '-'", StringComparison.OrdinalIgnoreCase)
            || message.Contains("not allowed in this context", StringComparison.OrdinalIgnoreCase))
        {
            return At(yaml.Start, "yaml.bad_indent", "the indentation does not fit here: keys of one mapping (and '- ' items of one list) start in the same column, indented with spaces; a value containing ': ' must be in quotes.", "отступ здесь не подходит: ключи одного словаря (и элементы «- » одного списка) начинаются в одном столбце, отступ пробелами; значение с «: » нужно взять в кавычки.");
        }

        return At(yaml.Start, "yaml.syntax", "YAML syntax: {0} Check the brackets, quotes and indentation here.", "синтаксис YAML: {0} Проверьте здесь скобки, кавычки и отступы.", message.TrimEnd('.') + ".");
    }

    /// <summary>
    /// The innermost '{' or '[' opened before <paramref name="end"/> and not closed, found in the text: the
    /// scanner reads ahead, so an unclosed flow collection can fail before the parser reports it as open.
    /// Quotes and comments are skipped; in block context only a bracket that starts a value counts.
    /// </summary>
    private static (Mark? Start, char Opener) UnclosedFlow(string text, int end)
    {
        var open = new Stack<(Mark, char)>();
        var (line, column) = (1, 0);
        var previous = '\n';
        char? quote = null;
        var comment = false;
        for (var i = 0; i < Math.Min(end, text.Length); i++)
        {
            var c = text[i];
            column++;
            if (c == '\n')
            {
                (line, column, comment, previous) = (line + 1, 0, false, '\n');
                continue;
            }

            if (comment)
            {
                continue;
            }

            if (quote is { } q)
            {
                if (c == '\\' && q == '"')
                {
                    i++;
                    column++;
                }
                else if (c == q)
                {
                    quote = null;
                }

                previous = c;
                continue;
            }

            var valueStart = char.IsWhiteSpace(previous) || previous is ':' or '-' or ',' or '[' or '{' or '?';
            if (c == '#' && char.IsWhiteSpace(previous))
            {
                comment = true;
            }
            else if (c is '"' or '\'' && valueStart)
            {
                quote = c;
            }
            else if (c is '{' or '[' && (open.Count > 0 || valueStart))
            {
                open.Push((new Mark(i, line, column), c));
            }
            else if (c is '}' or ']' && open.Count > 0)
            {
                open.Pop();
            }

            if (!char.IsWhiteSpace(c))
            {
                previous = c;
            }
            else
            {
                previous = ' ';
            }
        }

        return open.Count > 0 ? open.Peek() : (null, ' ');
    }

    /// <summary>Passes events through and remembers which collections are open, to locate an unclosed '{' or '['.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        private readonly Stack<ParsingEvent> open = new();

        public ParsingEvent? Current => inner.Current;

        public ParsingEvent? InnermostOpenFlow => open.FirstOrDefault(e => e is MappingStart { Style: MappingStyle.Flow } or SequenceStart { Style: SequenceStyle.Flow });

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            switch (inner.Current)
            {
                case MappingStart or SequenceStart:
                    open.Push(inner.Current);
                    break;
                case MappingEnd or SequenceEnd when open.Count > 0:
                    open.Pop();
                    break;
            }

            return moved;
        }
    }
}

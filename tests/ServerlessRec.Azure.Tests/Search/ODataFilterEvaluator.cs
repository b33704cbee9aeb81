using System.Text;
using System.Text.Json.Nodes;

namespace ServerlessRec.Azure.Tests.Search;

/// <summary>
/// Test-only evaluator of the OData subset the backend writes (eq, and, or, not, parentheses, any(),
/// search.in, string literals with doubled quotes, true/false), so the fake service filters the way the
/// real one would read the text. A literal that is escaped wrongly fails to parse or matches wrongly.
/// </summary>
internal static class ODataFilterEvaluator
{
    public static Func<JsonObject, bool> Compile(string? filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return _ => true;
        }

        var parser = new Parser(Tokenize(filter));
        var expression = parser.ParseOr();
        parser.ExpectEnd();
        return document => expression(new Scope(document, null, null));
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or ',' or ':')
            {
                tokens.Add(new Token(TokenKind.Symbol, c.ToString()));
                i++;
            }
            else if (c == '\'')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FormatException($"unterminated string literal in filter: {text}");
                    }

                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            value.Append('\'');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    value.Append(text[i++]);
                }

                tokens.Add(new Token(TokenKind.String, value.ToString()));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.' or '/'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, text[start..i]));
            }
            else
            {
                throw new FormatException($"unexpected character '{c}' at {i} in filter: {text}");
            }
        }

        return tokens;
    }

    private enum TokenKind
    {
        Symbol,
        String,
        Identifier,
    }

    private readonly record struct Token(TokenKind Kind, string Text);

    private sealed record Scope(JsonObject Document, string? Variable, string? Value);

    private sealed class Parser(List<Token> tokens)
    {
        private int _position;

        public Func<Scope, bool> ParseOr()
        {
            var left = ParseAnd();
            while (TryKeyword("or"))
            {
                var l = left;
                var r = ParseAnd();
                left = s => l(s) || r(s);
            }

            return left;
        }

        public void ExpectEnd()
        {
            if (_position != tokens.Count)
            {
                throw new FormatException($"unexpected token '{tokens[_position].Text}' at token {_position}");
            }
        }

        private Func<Scope, bool> ParseAnd()
        {
            var left = ParseUnary();
            while (TryKeyword("and"))
            {
                var l = left;
                var r = ParseUnary();
                left = s => l(s) && r(s);
            }

            return left;
        }

        private Func<Scope, bool> ParseUnary()
        {
            if (TryKeyword("not"))
            {
                var inner = ParseUnary();
                return s => !inner(s);
            }

            return ParsePrimary();
        }

        private Func<Scope, bool> ParsePrimary()
        {
            if (TrySymbol("("))
            {
                var inner = ParseOr();
                Expect(TokenKind.Symbol, ")");
                return inner;
            }

            var identifier = Expect(TokenKind.Identifier, null).Text;
            if (identifier == "search.in")
            {
                Expect(TokenKind.Symbol, "(");
                var field = Expect(TokenKind.Identifier, null).Text;
                Expect(TokenKind.Symbol, ",");
                var list = Expect(TokenKind.String, null).Text;
                var delimiters = " ,";
                if (TrySymbol(","))
                {
                    delimiters = Expect(TokenKind.String, null).Text;
                }

                Expect(TokenKind.Symbol, ")");
                var values = list.Split(delimiters.ToCharArray(), StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                return s => Resolve(s, field) is { } v && values.Contains(v);
            }

            if (identifier.EndsWith("/any", StringComparison.Ordinal))
            {
                var collection = identifier[..^"/any".Length];
                Expect(TokenKind.Symbol, "(");
                var variable = Expect(TokenKind.Identifier, null).Text;
                Expect(TokenKind.Symbol, ":");
                var body = ParseOr();
                Expect(TokenKind.Symbol, ")");
                return s => s.Document[collection] is JsonArray items
                    && items.Any(item => body(s with { Variable = variable, Value = item!.GetValue<string>() }));
            }

            if (!TryKeyword("eq"))
            {
                throw new FormatException($"expected 'eq' after '{identifier}'");
            }

            var literal = tokens[_position++];
            if (literal.Kind == TokenKind.String)
            {
                return s => Resolve(s, identifier) == literal.Text;
            }

            var flag = literal.Text switch
            {
                "true" => true,
                "false" => false,
                _ => throw new FormatException($"unexpected literal '{literal.Text}'"),
            };
            return s => s.Document[identifier]?.GetValue<bool>() == flag;
        }

        private static string? Resolve(Scope scope, string name) =>
            name == scope.Variable ? scope.Value : scope.Document[name]?.GetValue<string>();

        private bool TryKeyword(string keyword)
        {
            if (_position < tokens.Count && tokens[_position] is { Kind: TokenKind.Identifier } t && t.Text == keyword)
            {
                _position++;
                return true;
            }

            return false;
        }

        private bool TrySymbol(string symbol)
        {
            if (_position < tokens.Count && tokens[_position] is { Kind: TokenKind.Symbol } t && t.Text == symbol)
            {
                _position++;
                return true;
            }

            return false;
        }

        private Token Expect(TokenKind kind, string? text)
        {
            if (_position >= tokens.Count || tokens[_position].Kind != kind || (text is not null && tokens[_position].Text != text))
            {
                var found = _position < tokens.Count ? tokens[_position].Text : "end of filter";
                throw new FormatException($"expected {text ?? kind.ToString()} but found '{found}'");
            }

            return tokens[_position++];
        }
    }
}

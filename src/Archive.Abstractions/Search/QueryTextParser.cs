using System.Text;

namespace Archive.Search;

/// <summary>One element of a free-text query (<see cref="SearchRequest.Query"/>): a run of free words, a quoted phrase, or an excluded word or phrase.</summary>
/// <param name="Kind">What the clause does.</param>
/// <param name="Text">The clause's text, without quotes or the leading <c>-</c>.</param>
public sealed record QueryClause(QueryClauseKind Kind, string Text);

/// <summary>Kinds of <see cref="QueryClause"/>.</summary>
public enum QueryClauseKind
{
    /// <summary>Adjacent free words (scored, optional: OR of terms).</summary>
    Words,

    /// <summary>"a quoted phrase" (required).</summary>
    Phrase,

    /// <summary>-word or -"phrase" (excluded).</summary>
    Exclude,
}

/// <summary>
/// The free-text syntax of <see cref="SearchRequest.Query"/>, shared by every engine: words, <c>"phrases"</c>,
/// <c>-word</c>, <c>-"phrase"</c>. Never throws: an unclosed quote runs to the end, a lone <c>-</c> is ignored,
/// everything else is text. A <c>-</c> negates only at the start of a word (<c>COVID-19</c> is one word).
/// </summary>
public static class QueryTextParser
{
    /// <summary>The clauses of <paramref name="query"/> in order; empty for null or blank text.</summary>
    public static List<QueryClause> Parse(string? query)
    {
        var clauses = new List<QueryClause>();
        if (string.IsNullOrWhiteSpace(query))
        {
            return clauses;
        }

        var words = new StringBuilder();
        void FlushWords()
        {
            if (words.Length > 0)
            {
                clauses.Add(new QueryClause(QueryClauseKind.Words, words.ToString()));
                words.Clear();
            }
        }

        var s = query;
        var i = 0;
        while (i < s.Length)
        {
            if (char.IsWhiteSpace(s[i]))
            {
                i++;
                continue;
            }

            var negated = s[i] == '-' && i + 1 < s.Length && !char.IsWhiteSpace(s[i + 1]) && (i == 0 || char.IsWhiteSpace(s[i - 1]));
            if (negated)
            {
                i++;
            }

            if (s[i] == '"')
            {
                var end = s.IndexOf('"', i + 1);
                var text = end < 0 ? s[(i + 1)..] : s[(i + 1)..end];
                i = end < 0 ? s.Length : end + 1;
                FlushWords();
                if (!string.IsNullOrWhiteSpace(text))
                {
                    clauses.Add(new QueryClause(negated ? QueryClauseKind.Exclude : QueryClauseKind.Phrase, text));
                }

                continue;
            }

            var start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] != '"')
            {
                i++;
            }

            var word = s[start..i];
            if (negated)
            {
                FlushWords();
                clauses.Add(new QueryClause(QueryClauseKind.Exclude, word));
            }
            else
            {
                if (words.Length > 0)
                {
                    words.Append(' ');
                }

                words.Append(word);
            }
        }

        FlushWords();
        return clauses;
    }

    /// <summary>
    /// Whether the standard tokenizer finds a word in <paramref name="text"/> (a letter or digit). Clauses without
    /// one are dropped as the embedded engine drops clauses that analyse to nothing, so <c>"?"</c> matches everything
    /// instead of nothing.
    /// </summary>
    public static bool HasWord(string text)
    {
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                return true;
            }
        }

        return false;
    }
}

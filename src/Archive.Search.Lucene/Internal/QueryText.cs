using System.Text;

namespace Archive.Search.Lucene.Internal;

/// <summary>One element of a user query: a run of free words, a quoted phrase, or an excluded word/phrase.</summary>
internal sealed record QueryClause(QueryClauseKind Kind, string Text);

internal enum QueryClauseKind
{
    /// <summary>Adjacent free words (scored, optional: OR of terms).</summary>
    Words,

    /// <summary>"a quoted phrase" (required).</summary>
    Phrase,

    /// <summary>-word or -"phrase" (excluded).</summary>
    Exclude,
}

/// <summary>
/// Splits the free-text syntax: words, <c>"phrases"</c>, <c>-word</c>, <c>-"phrase"</c>. Never throws: an unclosed
/// quote runs to the end, a lone <c>-</c> is ignored, everything else is text.
/// </summary>
internal static class QueryText
{
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

        var i = 0;
        var s = query;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var negated = false;
            if (c == '-' && i + 1 < s.Length && !char.IsWhiteSpace(s[i + 1]) && (i == 0 || char.IsWhiteSpace(s[i - 1])))
            {
                negated = true;
                i++;
                c = s[i];
            }

            if (c == '"')
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
}

using Archive.Search.Lucene.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Archive.Search.Lucene.Internal;

/// <summary>A user query turned into Lucene queries.</summary>
internal sealed class BuiltQuery
{
    public required Query Scoring { get; init; }

    /// <summary>Positive terms and phrases (folded), for highlighting; null when nothing positive was asked for.</summary>
    public required Func<string, Query>? HighlightFor { get; init; }

    /// <summary>
    /// For a query of free words only (no phrase, no exclusion): the same query as <see cref="Scoring"/> as a flat list
    /// of term clauses, evaluated top-k by <see cref="TopTermsSearch"/>. A document matches when it matches a clause
    /// that is not <c>Optional</c>; optional clauses (common terms and bigrams behind the common-terms gate, every
    /// accented variant, which matches only where its folded syllable matches too) only add to the score; the bigram of a
    /// driving syllable drives (it adds no match). Null for other queries.
    /// </summary>
    public IReadOnlyList<DisjunctionClause>? Disjunction { get; init; }
}

/// <summary>One clause of <see cref="BuiltQuery.Disjunction"/>.</summary>
/// <param name="Clause">The term query.</param>
/// <param name="Optional">Whether the clause only adds to the score of documents matched by other clauses.</param>
/// <param name="Within">
/// For an optional clause: a driving clause that matches every document this one matches (the folded syllable of an
/// accented variant), so that its score can only come on top of that clause's; null when there is none.
/// </param>
internal readonly record struct DisjunctionClause(Query Clause, bool Optional, Query? Within = null);

/// <summary>Builds the scoring query: BM25 OR of syllables over the text groups, accented + folded variants, bigrams.</summary>
internal sealed class QueryBuilder(LuceneRankingOptions ranking)
{
    /// <summary>Most distinct free-text terms (and, separately, bigrams) considered; later ones are ignored.</summary>
    public const int MaxTerms = 400;

    /// <summary>Most phrases plus exclusions in one query.</summary>
    public const int MaxClauses = 200;

    private static readonly VietnameseAnalyzer Exact = new(VietnameseAnalysisMode.Exact);

    /// <summary>Builds the queries; with <paramref name="reader"/>, common terms are gated (see <see cref="LuceneRankingOptions.CommonTermRatio"/>).</summary>
    public BuiltQuery Build(string? text, IndexReader? reader = null)
    {
        var clauses = QueryTextParser.Parse(text);
        if (clauses.Count(c => c.Kind != QueryClauseKind.Words) > MaxClauses)
        {
            throw new ArchiveValidationException("query", "search.query.too-many-clauses", $"A query may have at most {MaxClauses} phrases and exclusions.");
        }

        var accented = text is not null && VietnameseText.HasDiacritics(text);
        var top = new BooleanQuery(disableCoord: true);
        var positives = new List<(string[] Folded, int[] Positions)>();
        var hasPositive = false;
        var hasRequired = false;

        var termCounts = new Dictionary<string, (string Folded, int Count)>(StringComparer.Ordinal);
        var bigramCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var clause in clauses)
        {
            var (tokens, positions) = Analyze(clause.Text);
            if (tokens.Count == 0)
            {
                continue;
            }

            var folded = tokens.Select(VietnameseText.Fold).ToArray();
            switch (clause.Kind)
            {
                case QueryClauseKind.Words:
                    for (var i = 0; i < tokens.Count; i++)
                    {
                        if (termCounts.TryGetValue(tokens[i], out var e))
                        {
                            termCounts[tokens[i]] = (e.Folded, e.Count + 1);
                        }
                        else if (termCounts.Count < MaxTerms)
                        {
                            termCounts[tokens[i]] = (folded[i], 1);
                            positives.Add(([folded[i]], [0]));
                        }

                        if (i > 0 && positions[i] == positions[i - 1] + 1)
                        {
                            var bigram = folded[i - 1] + " " + folded[i];
                            if (bigramCounts.TryGetValue(bigram, out var n) || bigramCounts.Count < MaxTerms)
                            {
                                bigramCounts[bigram] = n + 1;
                            }
                        }
                    }

                    hasPositive = true;
                    break;
                case QueryClauseKind.Phrase:
                    top.Add(TextMatch(tokens, folded, positions, accented, boosted: true), Occur.MUST);
                    positives.Add((folded, positions));
                    hasPositive = hasRequired = true;
                    break;
                case QueryClauseKind.Exclude:
                    var exact = VietnameseText.HasDiacritics(clause.Text);
                    top.Add(TextMatch(tokens, folded, positions, exact, boosted: false, exactOnly: exact), Occur.MUST_NOT);
                    break;
            }
        }

        // Free terms and bigrams go straight into the top query (a flat OR is much cheaper to score than one nested
        // query per term, and sums the same BM25 scores), within Lucene's clause limit.
        var groups = Groups().ToList();
        var budget = BooleanQuery.MaxClauseCount - top.Clauses.Count - 2;
        var perTerm = groups.Count * (accented && ranking.AccentedBoost > 0 ? 2 : 1);
        var rare = new List<Query>();
        var common = new List<Query>();
        var accentedVariants = new Dictionary<Query, Query>(ReferenceEqualityComparer.Instance); // variant -> its folded clause
        var drivingSyllables = new Dictionary<(string Field, string Term), Query>(); // folded clauses of rare syllables
        var commonLimit = reader is null || hasRequired || ranking.CommonTermRatio >= 1 ? long.MaxValue : (long)(ranking.CommonTermRatio * reader.MaxDoc);
        foreach (var (term, (foldedTerm, count)) in termCounts)
        {
            if (budget < perTerm)
            {
                break;
            }

            var termClauses = new List<Query>(perTerm);
            var docFreq = 0;
            foreach (var (group, boost) in groups)
            {
                var t = new Term(group.Folded, foldedTerm);
                TermQuery folded;
                if (reader is not null)
                {
                    // Looked up once: the document frequency decides "common", and the query reuses the lookup.
                    var context = TermContext.Build(reader.Context, t);
                    docFreq = Math.Max(docFreq, context.DocFreq);
                    folded = new TermQuery(t, context) { Boost = boost * count };
                }
                else
                {
                    folded = new TermQuery(t) { Boost = boost * count };
                }

                termClauses.Add(folded);
                if (accented && ranking.AccentedBoost > 0)
                {
                    var variant = new TermQuery(new Term(group.Accented, term)) { Boost = boost * ranking.AccentedBoost * count };
                    termClauses.Add(variant);
                    accentedVariants.Add(variant, folded);
                }
            }

            if (reader is not null && docFreq == 0)
            {
                continue; // in no document: nothing to score, and it must not count as a rare term
            }

            var isCommon = docFreq > commonLimit;
            (isCommon ? common : rare).AddRange(termClauses);
            if (!isCommon)
            {
                foreach (var q in termClauses.OfType<TermQuery>().Where(q => !accentedVariants.ContainsKey(q)))
                {
                    drivingSyllables.TryAdd((q.Term.Field, q.Term.Text), q);
                }
            }

            budget -= perTerm;
        }

        var gated = rare.Count > 0 && common.Count > 0;
        if (gated)
        {
            // Terms in a large share of the documents (Vietnamese function syllables) only add to the score of documents
            // that match a rarer term: a long question then scores thousands of documents, not the whole index.
            var gate = new BooleanQuery(disableCoord: true);
            foreach (var q in rare)
            {
                gate.Add(q, Occur.SHOULD);
            }

            top.Add(gate, Occur.MUST);
            foreach (var q in common)
            {
                top.Add(q, Occur.SHOULD);
            }
        }
        else
        {
            foreach (var q in rare.Concat(common))
            {
                top.Add(q, Occur.SHOULD);
            }
        }

        var bigramClauses = new List<DisjunctionClause>();
        if (ranking.BigramBoost > 0 && ranking.IndexBigrams)
        {
            foreach (var (bigram, count) in bigramCounts)
            {
                if (budget < groups.Count)
                {
                    break;
                }

                foreach (var (group, boost) in groups)
                {
                    var q = new TermQuery(new Term(group.Bigrams, bigram)) { Boost = boost * ranking.BigramBoost * count };
                    top.Add(q, Occur.SHOULD);

                    // A bigram matches only where both its syllables match (same text, folded): where one of them drives,
                    // the bigram adds no match, so it may drive the top-k search too. It does (rather than being charged
                    // to that syllable's bound): a pair of syllables is far rarer than either, its postings are short to
                    // walk, and the frequent syllables' low bounds then let them be set aside (measured: docs/benchmarks.md).
                    var space = bigram.IndexOf(' ', StringComparison.Ordinal);
                    var within = drivingSyllables.GetValueOrDefault((group.Folded, bigram[..space])) ?? drivingSyllables.GetValueOrDefault((group.Folded, bigram[(space + 1)..]));
                    bigramClauses.Add(within is null ? new DisjunctionClause(q, gated) : new DisjunctionClause(q, false));
                }

                budget -= groups.Count;
            }
        }

        if (!hasPositive)
        {
            top.Add(new MatchAllDocsQuery(), Occur.MUST);
        }
        else if (!hasRequired && !gated)
        {
            top.MinimumNumberShouldMatch = 1;
        }

        Func<string, Query>? highlight = positives.Count == 0 ? null : field =>
        {
            var q = new BooleanQuery(disableCoord: true);
            foreach (var (folded, positions) in positives)
            {
                q.Add(folded.Length == 1 ? new TermQuery(new Term(field, folded[0])) : Phrase(field, folded, positions), Occur.SHOULD);
            }

            return q;
        };

        // An accented variant is always optional, within its folded clause (which TopTermsSearch only charges it to when
        // that clause drives); a folded syllable drives unless it is common behind the gate.
        DisjunctionClause Syllable(Query q, bool drives)
            => accentedVariants.TryGetValue(q, out var folded) ? new DisjunctionClause(q, true, folded) : new DisjunctionClause(q, !drives);

        var wordsOnly = hasPositive && clauses.All(c => c.Kind == QueryClauseKind.Words);
        return new BuiltQuery
        {
            Scoring = top,
            HighlightFor = highlight,
            Disjunction = wordsOnly ? [.. rare.Select(q => Syllable(q, true)), .. common.Select(q => Syllable(q, !gated)), .. bigramClauses] : null,
        };
    }

    /// <summary>Tokens of <paramref name="text"/> as the accented index sees them, with their positions.</summary>
    public static (List<string> Tokens, int[] Positions) Analyze(string text)
    {
        var tokens = new List<string>();
        var positions = new List<int>();
        using var stream = Exact.GetTokenStream(Fields.Body.Accented, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var inc = stream.AddAttribute<IPositionIncrementAttribute>();
        stream.Reset();
        var pos = -1;
        while (stream.IncrementToken())
        {
            pos += inc.PositionIncrement;
            tokens.Add(term.ToString());
            positions.Add(pos);
        }

        stream.End();
        return (tokens, positions.ToArray());
    }

    private IEnumerable<(TextGroup Group, float Boost)> Groups()
    {
        if (ranking.TitleBoost > 0)
        {
            yield return (Fields.Title, ranking.TitleBoost);
        }

        if (ranking.SubjectBoost > 0)
        {
            yield return (Fields.Subject, ranking.SubjectBoost);
        }

        if (ranking.MetaBoost > 0)
        {
            yield return (Fields.Meta, ranking.MetaBoost);
        }

        if (ranking.TextBoost > 0)
        {
            yield return (Fields.Body, ranking.TextBoost);
        }
    }

    /// <summary>A term or phrase in any text group: folded match, plus (when the query has diacritics) the accented match.</summary>
    private BooleanQuery TextMatch(IReadOnlyList<string> tokens, string[] folded, int[] positions, bool accented, bool boosted, bool exactOnly = false)
    {
        var q = new BooleanQuery(disableCoord: true);
        var groups = boosted ? Groups() : Fields.Groups.Select(g => (g, 1f));
        foreach (var (group, boost) in groups)
        {
            if (!exactOnly)
            {
                q.Add(Single(group.Folded, folded, positions, boost), Occur.SHOULD);
            }

            if (exactOnly || (accented && ranking.AccentedBoost > 0))
            {
                q.Add(Single(group.Accented, tokens.ToArray(), positions, exactOnly ? boost : boost * ranking.AccentedBoost), Occur.SHOULD);
            }
        }

        return q;
    }

    private static Query Single(string field, string[] terms, int[] positions, float boost)
    {
        Query q = terms.Length == 1 ? new TermQuery(new Term(field, terms[0])) : Phrase(field, terms, positions);
        q.Boost = boost;
        return q;
    }

    private static PhraseQuery Phrase(string field, string[] terms, int[] positions)
    {
        var p = new PhraseQuery();
        for (var i = 0; i < terms.Length; i++)
        {
            p.Add(new Term(field, terms[i]), positions[i] - positions[0]);
        }

        return p;
    }
}

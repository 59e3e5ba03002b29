using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Archive.Search.Elastic;

/// <summary>Settings of the Elasticsearch search adapter.</summary>
/// <remarks>
/// Privileges the cluster user (or API key) needs when security is on: cluster <c>monitor</c>; on <c>ALIAS*</c>
/// (<see cref="IndexAlias"/> followed by anything: the alias, <c>ALIAS-initial</c>, <c>ALIAS-rb-*</c>, the rebuild
/// aliases) the index privileges <c>create_index</c>, <c>index</c>, <c>delete</c>, <c>read</c> and <c>manage</c>. They
/// are checked with <c>_security/user/_has_privileges</c> at first use and by the health check; a missing one fails with
/// a message naming it.
/// </remarks>
public sealed class ElasticsearchSearchOptions : IValidatableObject
{
    /// <summary>
    /// Addresses of the cluster's nodes (e.g. <c>https://search-1:9200</c>). Required unless <see cref="CloudId"/> is set
    /// or the host registers its own <c>ElasticsearchClient</c> in the service collection (then the connection settings
    /// here are ignored).
    /// </summary>
    public IList<Uri> Urls { get; set; } = new List<Uri>();

    /// <summary>Elastic Cloud id, instead of <see cref="Urls"/>.</summary>
    public string? CloudId { get; set; }

    /// <summary>API key (the Base64 <c>encoded</c> value Elasticsearch returns when the key is created).</summary>
    public string? ApiKey { get; set; }

    /// <summary>User name for basic authentication (with <see cref="Password"/>); not together with <see cref="ApiKey"/>.</summary>
    public string? Username { get; set; }

    /// <summary>Password for basic authentication.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// SHA-256 fingerprint (hex) of the cluster's CA certificate, for clusters with a self-signed certificate (as a fresh
    /// Elasticsearch 9 prints at first start); the fingerprint of the server certificate itself is accepted too. The pin
    /// only stands in for a trusted root: the server certificate is accepted when the platform trusts it or when a valid
    /// chain leads to the pinned certificate, and in both cases its host name must match the address and every
    /// certificate of the chain must be within its validity dates (no revocation check, as HttpClient's default).
    /// Applies to the client the adapter creates, not to a host-supplied <c>ElasticsearchClient</c>.
    /// </summary>
    public string? CertificateFingerprint { get; set; }

    /// <summary>Timeout of one request to the cluster (default 60 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The alias searches and writes go through (default <c>archive-search</c>). The adapter creates the concrete
    /// indices behind it (<c>ALIAS-initial</c>, <c>ALIAS-rb-…</c> for rebuilds), with its own settings and mapping, and
    /// switches the alias atomically when a rebuild is committed. Lower case letters, digits, <c>-</c>, <c>_</c>,
    /// <c>.</c>; at most 100 characters.
    /// </summary>
    public string IndexAlias { get; set; } = "archive-search";

    /// <summary>Primary shards of a new index (default 1: exact facet counts and one relevance scale).</summary>
    public int NumberOfShards { get; set; } = 1;

    /// <summary>Replicas of a new index; null keeps the cluster default (1). Use 0 on a single-node cluster.</summary>
    public int? NumberOfReplicas { get; set; }

    /// <summary>Most pages a document may have (each page is a nested document; default 10 000, Elasticsearch's own limit).</summary>
    public int MaxPagesPerDocument { get; set; } = 10_000;

    /// <summary>Most documents in one bulk request (default 500).</summary>
    public int BulkMaxDocuments { get; set; } = 500;

    /// <summary>
    /// Approximate largest bulk request body, in bytes (default 8 MiB; at most <see cref="MaxRequestBytes"/>). A single
    /// larger document is sent alone.
    /// </summary>
    public int BulkMaxBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Largest request body the cluster accepts, in bytes: its <c>http.max_content_length</c> (default 100 MiB, as
    /// Elasticsearch's own default). A larger request would be refused with 413 on every attempt, so
    /// <see cref="BulkMaxBytes"/> may not exceed it, and a single document whose stored JSON is larger has its
    /// <see cref="SearchDocument.Text"/> and <see cref="SearchDocument.Pages"/> shortened (each by the same proportion,
    /// cut at a character boundary, pages kept in number) until it fits, with a warning in the log; a document that
    /// cannot fit even without text is refused (<c>search.document.too-large</c>). Sizes are counted uncompressed.
    /// </summary>
    public int MaxRequestBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>Bulk requests of one call in flight at once (default 2): the back-pressure bound.</summary>
    public int BulkConcurrency { get; set; } = 2;

    /// <summary>
    /// Retries of documents the cluster rejected with 429 (<c>es_rejected_execution_exception</c>: queue full), with
    /// exponential back-off from <see cref="RetryDelay"/> (default 6).
    /// </summary>
    public int MaxRetries { get; set; } = 6;

    /// <summary>First back-off delay after a 429 (default 200 ms; doubled each time, at most 30 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long a rebuild stays resumable after its process stopped renewing its lease (crash, stop, or disposed without
    /// commit; default 1 hour). Afterwards any host deletes its index, at start-up or when it opens a rebuild; reopening
    /// the id then starts from empty (the reindex job notices and starts over). A rebuild whose host is alive renews
    /// its lease every minute and is never deleted.
    /// </summary>
    public TimeSpan AbandonedRebuildRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Longest accepted query text, in characters (default 4096).</summary>
    public int MaxQueryLength { get; set; } = 4096;

    /// <summary>
    /// Most Lucene clauses a search may become (default 1024). Each syllable of the query text becomes about 13 term
    /// queries (folded, accented and bigram fields of four text groups, and the pages); Elasticsearch refuses a query
    /// over its node's limit (computed from heap and search threads, never below 1024). A longer query is refused
    /// before it is sent with an <see cref="ArchiveValidationException"/> (field <c>query</c>, rule
    /// <c>search.query.too-many-terms</c>), as is a query the cluster refuses with <c>too_many_nested_clauses</c>.
    /// Raise it only if every node's limit is higher.
    /// </summary>
    public int MaxQueryClauses { get; set; } = 1024;

    /// <summary>Characters of a highlighted text fragment (default 160).</summary>
    public int HighlightFragmentSize { get; set; } = 160;

    /// <summary>Most text fragments returned per hit (default 3).</summary>
    public int MaxHighlightFragments { get; set; } = 3;

    /// <summary>Characters of a text analysed for highlighting (default 500 000; at most the index's <c>index.highlight.max_analyzed_offset</c>, 1 000 000).</summary>
    public int MaxHighlightAnalyzedChars { get; set; } = 500_000;

    /// <summary>Ranking parameters (the same meaning and defaults as the embedded Lucene engine's).</summary>
    public ElasticsearchRankingOptions Ranking { get; set; } = new();

    /// <summary>Set at registration when the host registered its own <c>ElasticsearchClient</c> (the connection settings are then not needed).</summary>
    internal bool HostSuppliesClient { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        => ElasticsearchSearchOptionsValidator.Errors(this, HostSuppliesClient).Select(e => new ValidationResult(e));
}

/// <summary>How free-text queries are scored (BM25 over several fields, as the embedded engine does).</summary>
public sealed class ElasticsearchRankingOptions
{
    /// <summary>BM25 term-frequency saturation k1 (default 1.2); applies to indices created afterwards.</summary>
    public float K1 { get; set; } = 1.2f;

    /// <summary>BM25 length normalisation b (default 0.75); applies to indices created afterwards.</summary>
    public float B { get; set; } = 0.75f;

    /// <summary>Weight of the title.</summary>
    public float TitleBoost { get; set; } = 2f;

    /// <summary>Weight of the subject (trích yếu).</summary>
    public float SubjectBoost { get; set; } = 1.5f;

    /// <summary>Weight of keywords, issuing body, type and codes.</summary>
    public float MetaBoost { get; set; } = 1f;

    /// <summary>Weight of the full text and pages.</summary>
    public float TextBoost { get; set; } = 1f;

    /// <summary>Weight of a match with the exact diacritics the query was typed with, added to the diacritics-insensitive match.</summary>
    public float AccentedBoost { get; set; } = 0.5f;

    /// <summary>Weight of adjacent-syllable (bigram) matches; 0 turns them off at query time.</summary>
    public float BigramBoost { get; set; } = 0.5f;
}

/// <summary>
/// Validates <see cref="ElasticsearchSearchOptions"/> at start-up (source-generated: the rules are
/// <see cref="ElasticsearchSearchOptions.Validate(ValidationContext)"/>); every message names the option and its rule.
/// The connection settings are not required when the host registered its own <c>ElasticsearchClient</c>.
/// </summary>
[OptionsValidator]
public sealed partial class ElasticsearchSearchOptionsValidator : IValidateOptions<ElasticsearchSearchOptions>
{
    /// <summary>The broken rules; <paramref name="hostSuppliesClient"/> drops the connection rules.</summary>
    internal static List<string> Errors(ElasticsearchSearchOptions options, bool hostSuppliesClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string P = nameof(ElasticsearchSearchOptions) + ".";
        if (!hostSuppliesClient)
        {
            var urls = options.Urls ?? [];
            if (urls.Count == 0 && string.IsNullOrWhiteSpace(options.CloudId))
            {
                errors.Add(P + "Urls (or CloudId) is required: the address of at least one Elasticsearch node, e.g. http://localhost:9200.");
            }

            if (urls.Count > 0 && !string.IsNullOrWhiteSpace(options.CloudId))
            {
                errors.Add(P + "Urls and CloudId are exclusive.");
            }

            foreach (var url in urls)
            {
                if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    errors.Add(P + $"Urls: '{url}' is not an absolute http(s) address.");
                }
            }

            var basic = !string.IsNullOrEmpty(options.Username) || !string.IsNullOrEmpty(options.Password);
            if (basic && (string.IsNullOrEmpty(options.Username) || options.Password is null))
            {
                errors.Add(P + "Username and Password go together.");
            }

            if (basic && !string.IsNullOrEmpty(options.ApiKey))
            {
                errors.Add(P + "ApiKey and Username/Password are exclusive: choose one way to authenticate.");
            }

            if (!string.IsNullOrWhiteSpace(options.CloudId) && !basic && string.IsNullOrEmpty(options.ApiKey))
            {
                errors.Add(P + "CloudId needs ApiKey or Username/Password.");
            }

            if (options.CertificateFingerprint is { } fp && !FingerprintPattern().IsMatch(fp))
            {
                errors.Add(P + "CertificateFingerprint must be the 64 hex digits of a SHA-256 fingerprint (colons allowed).");
            }

            if (options.RequestTimeout < TimeSpan.FromSeconds(1) || options.RequestTimeout > TimeSpan.FromHours(1))
            {
                errors.Add(P + "RequestTimeout must be between 1 second and 1 hour.");
            }
        }

        if (string.IsNullOrEmpty(options.IndexAlias) || options.IndexAlias.Length > 100 || !AliasPattern().IsMatch(options.IndexAlias))
        {
            errors.Add(P + "IndexAlias must be 1–100 characters: lower case letters, digits, '-', '_', '.', not starting with '-', '_' or '.'.");
        }

        if (options.NumberOfShards is < 1 or > 1024)
        {
            errors.Add(P + "NumberOfShards must be between 1 and 1024.");
        }

        if (options.NumberOfReplicas is < 0 or > 32)
        {
            errors.Add(P + "NumberOfReplicas must be between 0 and 32 (or null for the cluster default).");
        }

        if (options.MaxPagesPerDocument is < 1 or > 1_000_000)
        {
            errors.Add(P + "MaxPagesPerDocument must be between 1 and 1000000.");
        }

        if (options.BulkMaxDocuments is < 1 or > 100_000)
        {
            errors.Add(P + "BulkMaxDocuments must be between 1 and 100000.");
        }

        if (options.MaxRequestBytes < 1024 * 1024)
        {
            errors.Add(P + "MaxRequestBytes must be at least 1 MiB (it is the cluster's http.max_content_length, 100 MiB by default).");
        }

        if (options.BulkMaxBytes < 16 * 1024 || options.BulkMaxBytes > options.MaxRequestBytes)
        {
            errors.Add(P + "BulkMaxBytes must be between 16 KiB and MaxRequestBytes (the cluster's http.max_content_length, 100 MiB by default).");
        }

        if (options.BulkConcurrency is < 1 or > 64)
        {
            errors.Add(P + "BulkConcurrency must be between 1 and 64.");
        }

        if (options.MaxRetries is < 0 or > 100)
        {
            errors.Add(P + "MaxRetries must be between 0 and 100.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            errors.Add(P + "RetryDelay must be between 0 and 1 minute.");
        }

        if (options.AbandonedRebuildRetention < TimeSpan.FromMinutes(10) || options.AbandonedRebuildRetention > TimeSpan.FromDays(365))
        {
            errors.Add(P + "AbandonedRebuildRetention must be between 10 minutes and 365 days (at least twice the 5-minute rebuild lease).");
        }

        if (options.MaxQueryLength is < 16 or > 1_000_000)
        {
            errors.Add(P + "MaxQueryLength must be between 16 and 1000000.");
        }

        if (options.MaxQueryClauses is < 64 or > 1_000_000)
        {
            errors.Add(P + "MaxQueryClauses must be between 64 and 1000000.");
        }

        if (options.HighlightFragmentSize is < 20 or > 10_000)
        {
            errors.Add(P + "HighlightFragmentSize must be between 20 and 10000.");
        }

        if (options.MaxHighlightFragments is < 1 or > 100)
        {
            errors.Add(P + "MaxHighlightFragments must be between 1 and 100.");
        }

        if (options.MaxHighlightAnalyzedChars is < 1000 or > 1_000_000)
        {
            errors.Add(P + "MaxHighlightAnalyzedChars must be between 1000 and 1000000 (Elasticsearch's index.highlight.max_analyzed_offset).");
        }

        var r = options.Ranking;
        if (r is null)
        {
            errors.Add(P + "Ranking is required.");
        }
        else
        {
            if (!(r.K1 >= 0 && r.K1 <= 10))
            {
                errors.Add(P + "Ranking.K1 must be between 0 and 10.");
            }

            if (!(r.B >= 0 && r.B <= 1))
            {
                errors.Add(P + "Ranking.B must be between 0 and 1.");
            }

            foreach (var (label, value) in new[] { ("TitleBoost", r.TitleBoost), ("SubjectBoost", r.SubjectBoost), ("MetaBoost", r.MetaBoost), ("TextBoost", r.TextBoost), ("AccentedBoost", r.AccentedBoost), ("BigramBoost", r.BigramBoost) })
            {
                if (!(value >= 0 && value <= 100))
                {
                    errors.Add(P + $"Ranking.{label} must be between 0 and 100.");
                }
            }
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();

    [GeneratedRegex("^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex FingerprintPattern();
}

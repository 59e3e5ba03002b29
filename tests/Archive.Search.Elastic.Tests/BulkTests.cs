using System.Text.Json.Nodes;
using Archive.Testing.Search;
using Archive.Search.Elastic.Tests.Support;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>Bulk requests: NDJSON bodies, batching, back-pressure, 429 retries and item failures.</summary>
public class BulkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SearchDocument Doc(int i) => new() { Id = $"d-{i:D4}", Title = $"Văn bản số {i}", Text = new string('x', 200) };

    [Fact]
    public async Task Index_sends_one_bulk_request_through_the_alias_with_the_stored_documents()
    {
        var s = new Scenario();
        await s.Index.IndexAsync([SearchFixtures.Get("paged"), SearchFixtures.Get("vb-002")], Ct);

        var bulk = s.Cluster.Sent("POST", "/_bulk").Single();
        Assert.Equal("require_alias=true", bulk.Query);
        Assert.EndsWith("\n", bulk.Body, StringComparison.Ordinal);
        var lines = bulk.NdJson;
        Assert.Equal(4, lines.Count);
        JsonAssert.Equivalent("""{"index":{"_index":"archive-test","_id":"paged"}}""", lines[0]);
        JsonAssert.Equivalent("""
            {"id":"paged","title":"Biên bản giao nhận tài liệu",
             "pages":[{"text":"Trang một: thành phần tham dự gồm đại diện hai bên giao và bên nhận."},
                      {"text":"Trang hai: bên giao bàn giao phông lưu trữ của Sở Nội vụ cho bên nhận."},
                      {"text":"Trang ba: biên bản được lập thành hai bản có giá trị như nhau."}],
             "meta":["giao nhận","Biên bản"],
             "body":["Trang một: thành phần tham dự gồm đại diện hai bên giao và bên nhận.",
                     "Trang hai: bên giao bàn giao phông lưu trữ của Sở Nội vụ cho bên nhận.",
                     "Trang ba: biên bản được lập thành hai bản có giá trị như nhau."],
             "date":"2024-02-29",
             "f":{"kind":"Document","agency":"000.00.00.G09","type":"Biên bản","retention":"permanent","access":"Conditional",
                  "status":"accessioned","year":"2024","keyword":["giao nhận"],"tag":{"unit":"LT"}},
             "src":{"kind":"Document","keywords":["giao nhận"],"agencyId":"000.00.00.G09","documentType":"Biên bản","retention":"permanent",
                    "accessLevel":"Conditional","status":"accessioned","date":"2024-02-29","tags":{"unit":"LT"}}}
            """, lines[1]);
        JsonAssert.Equivalent("""{"index":{"_index":"archive-test","_id":"vb-002"}}""", lines[2]);
        JsonAssert.Equivalent("""
            {"id":"vb-002","title":"Công văn về việc chỉnh lý tài liệu tồn đọng",
             "subject":"Đề nghị chỉnh lý tài liệu tồn đọng tại các phòng",
             "text":"Văn phòng đề nghị các phòng chuyên môn phối hợp chỉnh lý tài liệu trước ngày 30/6.",
             "meta":["chỉnh lý","Văn phòng Ủy ban nhân dân","Công văn","05/UBND-VP"],
             "body":["Văn phòng đề nghị các phòng chuyên môn phối hợp chỉnh lý tài liệu trước ngày 30/6."],
             "date":"2021-06-01",
             "f":{"kind":"Document","parentId":"hs-001","agency":"000.00.00.H30","fonds":"PHONG-UBND","codeNumber":"05/UBND-VP","type":"Công văn",
                  "issuingBody":"Văn phòng Ủy ban nhân dân","retention":"10y","access":"Conditional","status":"finished","year":"2021",
                  "keyword":["chỉnh lý"],"tag":{"unit":"VP"}},
             "src":{"kind":"Document","parentId":"hs-001","keywords":["chỉnh lý"],"agencyId":"000.00.00.H30","fondsId":"PHONG-UBND",
                    "codeNumber":"05/UBND-VP","documentType":"Công văn","issuingBody":"Văn phòng Ủy ban nhân dân","retention":"10y",
                    "accessLevel":"Conditional","status":"finished","date":"2021-06-01","tags":{"unit":"VP"}}}
            """, lines[3]);

        // Vietnamese travels as UTF-8, not as \uXXXX escapes (a third of the size).
        Assert.Contains("Biên bản giao nhận", bulk.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_labels_travel_in_the_unindexed_src_object_so_existing_mappings_take_them()
    {
        var s = new Scenario();
        await s.Index.IndexAsync([new SearchDocument { Id = "wb", Pages = ["Mã hồ sơ 01.VP", "Ghi chú"], PageLabels = ["Danh mục", null] }], Ct);
        var doc = s.Cluster.Sent("POST", "/_bulk").Single().NdJson[1]!;
        JsonAssert.Equivalent("""
            {"id":"wb","pages":[{"text":"Mã hồ sơ 01.VP"},{"text":"Ghi chú"}],"body":["Mã hồ sơ 01.VP","Ghi chú"],"f":{"kind":"RecordFile","access":"Public"},
             "src":{"kind":"RecordFile","pageLabels":["Danh mục",null],"keywords":[],"accessLevel":"Public"}}
            """, doc);

        // The nested page objects are unchanged: the mapping (pinned by IndexDefinitionTests) needs no new field.
        Assert.Null(doc["pages"]![0]!["label"]);
    }

    [Fact]
    public async Task Exact_values_are_canonical_and_the_original_is_kept()
    {
        var s = new Scenario();
        await s.Index.IndexAsync([new SearchDocument
        {
            Id = "x",
            AgencyId = "  000.00.00.H30 ",
            IssuingBody = "Bo\u0323\u0302 No\u0302\u0323i vu\u0323", // decomposed
            Keywords = ["lưu trữ", " lưu trữ ", "  "],
            Tags = new Dictionary<string, string> { [" unit "] = "VP", ["empty"] = "   " },
        }], Ct);
        var doc = s.Cluster.Sent("POST", "/_bulk").Single().NdJson[1]!;
        JsonAssert.Equivalent("""
            {"kind":"RecordFile","agency":"000.00.00.H30","issuingBody":"Bộ Nội vụ","access":"Public","keyword":["lưu trữ"],"tag":{"unit":"VP"}}
            """, doc["f"]);
        Assert.Equal("  000.00.00.H30 ", doc["src"]!["agencyId"]!.GetValue<string>());
        Assert.Equal(3, doc["src"]!["keywords"]!.AsArray().Count);
        Assert.Equal(" unit ", doc["src"]!["tags"]!.AsObject().First().Key);
    }

    [Fact]
    public async Task Delete_sends_delete_actions_and_ignores_unknown_ids()
    {
        var s = new Scenario();
        s.Overrides.Add(r => r.Path == "/_bulk"
            ? CannedResponse.Json(200, Scenario.BulkItems(r, n => n == 1 ? JsonNode.Parse("""{"_index":"archive-test-initial","_id":"no-such","_version":1,"result":"not_found","status":404}""")!.AsObject() : null))
            : null);
        await s.Index.DeleteAsync(["vb-004", "no-such"], Ct);
        var lines = s.Cluster.Sent("POST", "/_bulk").Single().NdJson;
        Assert.Equal(2, lines.Count);
        JsonAssert.Equivalent("""{"delete":{"_index":"archive-test","_id":"vb-004"}}""", lines[0]);
        JsonAssert.Equivalent("""{"delete":{"_index":"archive-test","_id":"no-such"}}""", lines[1]);
    }

    [Fact]
    public async Task Large_calls_are_cut_by_count_and_by_bytes()
    {
        var byCount = new Scenario(o => o.BulkMaxDocuments = 10);
        await byCount.Index.IndexAsync(Enumerable.Range(0, 25).Select(Doc).ToList(), Ct);
        var requests = byCount.Cluster.Sent("POST", "/_bulk");
        Assert.Equal([20, 20, 10], requests.Select(r => r.NdJson.Count).Order().Reverse());
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"d-{i:D4}"), requests.SelectMany(r => r.NdJson.Where((_, i) => i % 2 == 0)).Select(l => l!["index"]!["_id"]!.GetValue<string>()).Order());

        var byBytes = new Scenario(o => o.BulkMaxBytes = 16 * 1024);
        var big = Enumerable.Range(0, 6).Select(i => Doc(i) with { Text = new string('a', 3000) }).ToList();
        await byBytes.Index.IndexAsync(big, Ct);
        var cut = byBytes.Cluster.Sent("POST", "/_bulk");
        Assert.Equal(3, cut.Count);
        Assert.All(cut, r => Assert.True(r.Body.Length <= 16 * 1024 + 1024, $"{r.Body.Length} bytes"));
    }

    [Fact]
    public async Task In_flight_bulk_requests_are_bounded()
    {
        var s = new Scenario(o =>
        {
            o.BulkMaxDocuments = 5;
            o.BulkConcurrency = 3;
        });
        s.Cluster.Latency = TimeSpan.FromMilliseconds(40);
        await s.Index.IndexAsync(Enumerable.Range(0, 60).Select(Doc).ToList(), Ct);
        Assert.Equal(12, s.Cluster.Sent("POST", "/_bulk").Count);
        Assert.Equal(3, s.Cluster.MaxInFlight);
    }

    [Fact]
    public async Task Items_rejected_with_429_are_sent_again_alone()
    {
        var s = new Scenario();
        var attempt = 0;
        s.Overrides.Add(r => r.Path == "/_bulk" && attempt++ == 0
            ? CannedResponse.Json(200, Scenario.BulkItems(r, n => n == 1 ? ErrorBodies.RejectedItem("archive-test-initial", "d-0001") : null))
            : null);
        await s.Index.IndexAsync([Doc(0), Doc(1), Doc(2)], Ct);

        var bulks = s.Cluster.Sent("POST", "/_bulk");
        Assert.Equal(2, bulks.Count);
        Assert.Equal(6, bulks[0].NdJson.Count);
        Assert.Equal(2, bulks[1].NdJson.Count);
        Assert.Equal("d-0001", bulks[1].NdJson[0]!["index"]!["_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_request_rejected_with_429_is_sent_again()
    {
        var s = new Scenario();
        var attempt = 0;
        s.Overrides.Add(r => r.Path == "/_bulk" && attempt++ < 2 ? CannedResponse.Json(429, ErrorBodies.RejectedExecution()) : null);
        await s.Index.IndexAsync([Doc(0)], Ct);
        Assert.Equal(3, s.Cluster.Sent("POST", "/_bulk").Count);
    }

    [Fact]
    public async Task Rejections_beyond_the_retry_budget_fail_naming_the_cause()
    {
        var s = new Scenario(o => o.MaxRetries = 2);
        s.Overrides.Add(r => r.Path == "/_bulk" ? CannedResponse.Json(200, Scenario.BulkItems(r, _ => ErrorBodies.RejectedItem("archive-test-initial", "d"))) : null);
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.IndexAsync([Doc(0), Doc(1)], Ct).AsTask());
        Assert.Equal(3, s.Cluster.Sent("POST", "/_bulk").Count);
        Assert.Equal("index", e.Operation);
        Assert.Contains("429", e.Message);
        Assert.Contains("es_rejected_execution_exception", e.Message);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public async Task Item_failures_fail_the_call_naming_documents_and_reasons()
    {
        var s = new Scenario();
        s.Overrides.Add(r => r.Path == "/_bulk"
            ? CannedResponse.Json(200, Scenario.BulkItems(r, n => n switch
            {
                0 => ErrorBodies.VersionConflictItem("archive-test-initial", "d-0000"),
                2 => ErrorBodies.MapperParsingItem("archive-test-initial", "d-0002"),
                _ => null,
            }))
            : null);
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.IndexAsync([Doc(0), Doc(1), Doc(2)], Ct).AsTask());
        Assert.Equal("elasticsearch", e.System);
        Assert.Equal("archive-test", e.Index);
        Assert.Contains("2 of 3 actions failed", e.Message);
        Assert.Contains("'d-0000' HTTP 409 version_conflict_engine_exception", e.Message);
        Assert.Contains("'d-0002' HTTP 400 document_parsing_exception", e.Message);
        Assert.Contains("failed to parse date field", e.Message);
        Assert.Single(s.Cluster.Sent("POST", "/_bulk")); // not retried
    }

    [Fact]
    public async Task Invalid_documents_are_rejected_before_anything_is_sent()
    {
        var s = new Scenario();
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => s.Index.IndexAsync(
        [
            new SearchDocument { Id = "ok" },
            new SearchDocument { Id = " " },
            new SearchDocument { Id = new string('x', 600) },
            new SearchDocument { Id = "p", Pages = ["a", null!] },
        ], Ct).AsTask());
        Assert.Contains(e.Errors, x => x.Field == "documents[1].id" && x.Rule == "search.document.id-required");
        Assert.Contains(e.Errors, x => x.Field == "documents[2].id" && x.Rule == "search.document.id-too-long");
        Assert.Contains(e.Errors, x => x.Field == "documents[3].pages" && x.Rule == "search.document.page-null");
        Assert.Empty(s.Requests);

        var ids = await Assert.ThrowsAsync<ArchiveValidationException>(() => s.Index.DeleteAsync(["a", ""], Ct).AsTask());
        Assert.Contains(ids.Errors, x => x.Field == "ids[1]" && x.Rule == "search.document.id-required");
        Assert.Empty(s.Requests);
    }

    [Fact]
    public async Task A_document_larger_than_one_request_is_shortened_to_fit_instead_of_failing_for_ever()
    {
        const int limit = 1024 * 1024;
        var s = new Scenario(o =>
        {
            o.MaxRequestBytes = limit;
            o.BulkMaxBytes = 64 * 1024;
        });
        var text = string.Concat(Enumerable.Repeat("Biên bản giao nhận tài liệu lưu trữ. ", 40_000)); // ≈ 1.8 MB of UTF-8, stored twice
        var pages = new[] { text[..100_000], "Trang hai 😀 " + text[..50_000] };
        await s.Index.IndexAsync([Doc(0), new SearchDocument { Id = "big", Title = "Hồ sơ lớn", Text = text, Pages = pages }, Doc(2)], Ct);

        var bulks = s.Cluster.Sent("POST", "/_bulk");
        Assert.All(bulks, b => Assert.True(System.Text.Encoding.UTF8.GetByteCount(b.Body) <= limit, $"{b.Body.Length} characters sent in one request"));
        var alone = bulks.Single(b => b.NdJson[0]!["index"]!["_id"]!.GetValue<string>() == "big");
        Assert.Equal(2, alone.NdJson.Count); // larger than BulkMaxBytes: sent alone
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(alone.Body) > limit * 0.9, "shortened no more than needed");
        var big = alone.NdJson[1]!;
        Assert.Equal("Hồ sơ lớn", big["title"]!.GetValue<string>());
        var kept = big["text"]!.GetValue<string>();
        Assert.InRange(kept.Length, 1, text.Length - 1);
        Assert.StartsWith(kept, text, StringComparison.Ordinal);
        Assert.Equal(2, big["pages"]!.AsArray().Count); // page numbers stay right
        Assert.StartsWith("Trang hai 😀", big["pages"]![1]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, bulks.Sum(b => b.NdJson.Count) / 2);
    }

    [Fact]
    public async Task A_document_that_cannot_fit_even_without_text_is_refused_before_anything_is_sent()
    {
        var s = new Scenario(o =>
        {
            o.MaxRequestBytes = 1024 * 1024;
            o.BulkMaxBytes = 64 * 1024;
        });
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => s.Index.IndexAsync(
            [Doc(0), new SearchDocument { Id = "huge", Keywords = Enumerable.Range(0, 40_000).Select(i => $"từ khóa số {i}").ToList() }], Ct).AsTask());
        var error = Assert.Single(e.Errors);
        Assert.Equal(("documents[1]", "search.document.too-large"), (error.Field, error.Rule));
        Assert.Contains("'huge'", error.Message);
        Assert.Empty(s.Cluster.Sent("POST", "/_bulk"));
    }

    [Fact]
    public void Bulk_requests_may_not_exceed_the_clusters_request_limit()
    {
        var validator = new ElasticsearchSearchOptionsValidator();
        var defaults = new ElasticsearchSearchOptions { HostSuppliesClient = true };
        Assert.Equal(100 * 1024 * 1024, defaults.MaxRequestBytes); // Elasticsearch's default http.max_content_length
        Assert.True(validator.Validate(null, defaults).Succeeded);
        var tooLarge = validator.Validate(null, new ElasticsearchSearchOptions { HostSuppliesClient = true, BulkMaxBytes = 200 * 1024 * 1024 });
        Assert.Contains("BulkMaxBytes", tooLarge.FailureMessage);
        Assert.False(validator.Validate(null, new ElasticsearchSearchOptions { HostSuppliesClient = true, MaxRequestBytes = 16 * 1024 * 1024, BulkMaxBytes = 32 * 1024 * 1024 }).Succeeded);
        Assert.True(validator.Validate(null, new ElasticsearchSearchOptions { HostSuppliesClient = true, MaxRequestBytes = 512 * 1024 * 1024, BulkMaxBytes = 200 * 1024 * 1024 }).Succeeded);
    }
}

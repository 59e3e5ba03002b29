using System.Net;
using System.Net.Http.Headers;

namespace Archive.Storage.Minio;

public sealed partial class MinioObjectStore
{
    // ------------------------------------------------------------------------------------------------------
    // Get, stat, list
    // ------------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public async ValueTask<ObjectContent?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        if (range is { } r)
        {
            // Rejects a negative offset or length before any request.
            _ = r.Resolve(long.MaxValue);
        }

        var s3Key = ToS3Key(key);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);

        if (range is { Length: 0 } empty)
        {
            var headers = await HeadAsync(s3Key, "get", key, cancellationToken).ConfigureAwait(false);
            if (headers is null)
            {
                return null;
            }

            var info = ToInfo(key, headers, null);
            return new ObjectContent(info, new MemoryStream([], writable: false), empty.Resolve(info.Length));
        }

        RangeHeaderValue? header = range is { } rr ? new RangeHeaderValue(rr.Offset, rr.Length is { } l ? rr.Offset + l - 1 : null) : null;
        HttpResponseMessage? response;
        try
        {
            response = await _direct.GetAsync(s3Key, header, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, "get", key);
        }

        if (response is null)
        {
            return null;
        }

        try
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                response.Dispose();
                var headers = await HeadAsync(s3Key, "get", key, cancellationToken).ConfigureAwait(false);
                if (headers is null)
                {
                    return null;
                }

                var info = ToInfo(key, headers, null);
                var resolved = range!.Value.Resolve(info.Length);
                return new ObjectContent(info, new MemoryStream([], writable: false), resolved);
            }

            var responseHeaders = S3DirectClient.Headers(response);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                var contentRange = response.Content.Headers.ContentRange;
                if (contentRange?.From is not { } from || contentRange.To is not { } to || contentRange.Length is not { } total)
                {
                    throw new ArchiveStorageException(System, Bucket, "get", key, "the server answered 206 without a usable Content-Range");
                }

                var info = ToInfo(key, responseHeaders, total);
                return new ObjectContent(info, new S3ResponseStream(response, body, null, 0), new ByteRange(from, to - from + 1));
            }

            // 200: the whole object (a server that ignores Range is handled by skipping and limiting here).
            var whole = ToInfo(key, responseHeaders, null);
            if (range is { } requested)
            {
                var resolved = requested.Resolve(whole.Length);
                return new ObjectContent(whole, new S3ResponseStream(response, body, resolved.Length, resolved.Offset), resolved);
            }

            return new ObjectContent(whole, new S3ResponseStream(response, body, null, 0), null);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        var s3Key = ToS3Key(key);
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var headers = await HeadAsync(s3Key, "stat", key, cancellationToken).ConfigureAwait(false);
        return headers is null ? null : ToInfo(key, headers, null);
    }

    /// <inheritdoc />
    /// <remarks>
    /// S3 listings carry no user metadata, so items have <see cref="ObjectInfo.Sha256"/> <see langword="null"/>,
    /// no content type and no metadata; <see cref="StatAsync"/> gives them.
    /// </remarks>
    public async ValueTask<ObjectListPage> ListPageAsync(string prefix, ObjectListOptions? options = null, CancellationToken cancellationToken = default)
    {
        prefix = ObjectKey.NormalizePrefix(prefix);
        options ??= new ObjectListOptions();
        if (options.PageSize is < 1 or > 1000)
        {
            throw new ArchiveValidationException("pageSize", "list.page-size", "The page size must be between 1 and 1000.");
        }

        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        S3ListPage page;
        try
        {
            page = await _direct.ListAsync(_options.KeyPrefix + prefix, options.Delimited ? "/" : null, options.PageSize, options.ContinuationToken, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, "list", prefix.Length == 0 ? null : prefix);
        }

        var items = page.Items
            .Where(i => i.Key.StartsWith(_options.KeyPrefix, StringComparison.Ordinal))
            .Select(i => new ObjectInfo
            {
                Key = i.Key[_options.KeyPrefix.Length..],
                Length = i.Size,
                LastModified = i.LastModified,
                ETag = i.ETag,
            })
            .ToList();
        var prefixes = page.CommonPrefixes
            .Where(p => p.StartsWith(_options.KeyPrefix, StringComparison.Ordinal))
            .Select(p => p[_options.KeyPrefix.Length..])
            .ToList();
        return new ObjectListPage(items, prefixes, page.ContinuationToken);
    }
}

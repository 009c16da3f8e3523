package io.ctta.streams.data.movielens;

import java.util.Objects;

/**
 * One rating of the MovieLens stream (or of the synthetic stream that imitates it).
 *
 * @param userId the user
 * @param movieId the movie
 * @param rating 0.5 to 5.0 stars in half-star steps
 * @param timestampSec when it was given, seconds since the epoch
 * @param year the movie's release year, or -1 when unknown
 * @param genres pipe-separated genres, e.g. {@code Action|Sci-Fi}
 * @param title the movie's title ("" when unknown)
 */
public record Rating(int userId, int movieId, float rating, long timestampSec, int year, String genres, String title) {

    public Rating {
        Objects.requireNonNull(genres, "genres");
        Objects.requireNonNull(title, "title");
        if (!(rating >= 0.5f && rating <= 5f)) {
            throw new IllegalArgumentException("rating must be in [0.5, 5], got " + rating);
        }
    }

    /** The click-like label: 1 when the rating is 4 stars or more. */
    public int click() {
        return rating >= 4f ? 1 : 0;
    }

    /** The rating as one of ten classes: 0.5 stars is class 0, 5 stars class 9. */
    public int ratingClass() {
        return Math.max(0, Math.min(9, Math.round(rating * 2f) - 1));
    }

    /** The stars of rating class {@code c} (the inverse of {@link #ratingClass()}). */
    public static double starsOfClass(int c) {
        return (c + 1) / 2.0;
    }
}

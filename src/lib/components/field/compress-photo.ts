/** Longest side of a stored photo: enough to read a serial number, small enough to sync. */
export const PHOTO_MAX_SIDE = 1600;
export const PHOTO_QUALITY = 0.8;

/**
 * Resizes and re-encodes a camera photo on the device as JPEG (EXIF orientation applied).
 * @throws {Error} when the browser cannot decode the image.
 */
export async function compressPhoto(
	file: Blob,
	maxSide = PHOTO_MAX_SIDE,
	quality = PHOTO_QUALITY
): Promise<Blob> {
	const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
	const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
	const width = Math.max(1, Math.round(bitmap.width * scale));
	const height = Math.max(1, Math.round(bitmap.height * scale));
	try {
		if (typeof OffscreenCanvas !== 'undefined') {
			const canvas = new OffscreenCanvas(width, height);
			const context = canvas.getContext('2d');
			if (!context) throw new Error('no 2D canvas');
			draw(context, bitmap, width, height);
			return await canvas.convertToBlob({ type: 'image/jpeg', quality });
		}
		const canvas = document.createElement('canvas');
		canvas.width = width;
		canvas.height = height;
		const context = canvas.getContext('2d');
		if (!context) throw new Error('no 2D canvas');
		draw(context, bitmap, width, height);
		return await new Promise<Blob>((done, fail) =>
			canvas.toBlob(
				(blob) => (blob ? done(blob) : fail(new Error('JPEG encoding failed'))),
				'image/jpeg',
				quality
			)
		);
	} finally {
		bitmap.close();
	}
}

function draw(
	context: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D,
	bitmap: ImageBitmap,
	width: number,
	height: number
): void {
	// JPEG has no transparency: a PNG screenshot's clear pixels become white, not black.
	context.fillStyle = '#fff';
	context.fillRect(0, 0, width, height);
	context.drawImage(bitmap, 0, 0, width, height);
}

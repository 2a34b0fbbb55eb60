/** conv1_1's padding in every FCN (authors' FAQ: alignment for any input size). */
export const FCN_FIRST_PAD = 100;
/** PASCAL VOC: background + 20 classes. */
export const VOC_CLASSES_DEFAULT = 21;

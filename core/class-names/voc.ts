/**
 * The 21 PASCAL VOC segmentation classes, in label order (label = index; 255 is the
 * "ignore" label of object borders, not a class): background, then the 20 object
 * classes in the VOC devkit's alphabetical order. These are the outputs of the authors'
 * voc-fcn* nets (score_fr has 21 channels).
 */
export const VOC_CLASS_NAMES: readonly string[] = [
  "background",
  "aeroplane",
  "bicycle",
  "bird",
  "boat",
  "bottle",
  "bus",
  "car",
  "cat",
  "chair",
  "cow",
  "diningtable",
  "dog",
  "horse",
  "motorbike",
  "person",
  "pottedplant",
  "sheep",
  "sofa",
  "train",
  "tvmonitor",
];
